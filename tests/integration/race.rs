//! End-to-end tests of races over seeds (`[search.race]`): the decisions and `race.csv`, the
//! report that leads with them, the same tables with any `--jobs`, after kill -9 and block by
//! block in shards, and every bad `[search.race]` refused with file, line, key and what is
//! allowed.

use std::path::Path;
use std::time::Duration;

use crate::common::{
    self, TABLES, assert_contains, assert_same_tables, csv_rows, experiment,
    kill_at_growing_moments, read, refused, run_ok, stderr,
};

/// 6 configurations (3 learning rates, one that barely moves, x 2 gradients) on up to 12
/// selection seeds and 4 fresh ones, raced by final train loss.
const RACE: &str = "[train]\nhidden_size = 16\nepochs = 60\neval_every = 20\n\
    [grid]\nlearning_rate = [0.005, 0.05, 0.1]\ngradient = [\"article\", \"exact\"]\n\
    seed = { start = 0, count = 16 }\n\
    [search.race]\nmetric = \"final_train_loss\"\nfirst = 4\nblock = 4\nbudget = 12\nfresh = 4\n";

fn race_rows(out: &Path) -> Vec<std::collections::HashMap<String, String>> {
    csv_rows(&out.join("race.csv"))
}

#[test]
fn a_race_eliminates_the_clearly_worse_and_reevaluates_the_survivors_on_fresh_seeds() {
    let dir = tempfile::tempdir().unwrap();
    let exp = experiment(dir.path(), "race", RACE);
    let out = dir.path().join("out");
    let o = run_ok(&exp, &out, &["--jobs", "2"]);
    assert_contains(&stderr(&o), "sweep: race look at 4 seeds");
    let rows = race_rows(&out);
    assert_eq!(rows.len(), 6);
    let place = |p: &str| rows.iter().filter(|r| r["place"] == p).count();
    assert_eq!(place("winner"), 1);
    // lr = 0.005 barely moves in 60 epochs: both of its configurations are out.
    for r in rows.iter().filter(|r| r["config"].contains("lr=0.005")) {
        assert_eq!(r["place"], "eliminated", "{r:?}");
        assert_eq!(r["fresh_seeds"], "0");
    }
    // The runs the race asked for, and only those, are in runs.csv.
    let asked: usize = rows
        .iter()
        .map(|r| r["seeds"].parse::<usize>().unwrap() + r["fresh_seeds"].parse::<usize>().unwrap())
        .sum();
    assert_eq!(csv_rows(&out.join("runs.csv")).len(), asked);
    for r in rows
        .iter()
        .filter(|r| r["place"] == "winner" || r["place"] == "tied")
    {
        assert_eq!(r["fresh_seeds"], "4", "{r:?}");
        assert!(!r["fresh_estimate"].is_empty());
    }
    // The report leads with the decision, draws the race and checks the survivors.
    let report = read(&out.join("report.md"));
    let race_at = report.find("## Race over seeds").unwrap();
    assert!(race_at < report.find("## Best configurations").unwrap());
    assert_contains(&report, "**Winner: `");
    assert_contains(&report, "### Fresh-seed check");
    assert_contains(&report, "The winner's optimism (selection minus fresh)");
    assert!(out.join("plots/race.png").is_file());
    // The resolved experiment keeps the race, and a rebuild gives the same bytes.
    assert_contains(&read(&out.join("experiment.toml")), "[search.race]");
    let before = read(&out.join("report.md"));
    let o = common::sweep_on("report", &out, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(before, read(&out.join("report.md")));
}

/// The tables of a race, with race.csv.
fn assert_same_race(a: &Path, b: &Path) {
    assert_same_tables(a, b);
    assert_eq!(read(&a.join("race.csv")), read(&b.join("race.csv")));
}

#[test]
fn a_race_decides_the_same_with_any_jobs_after_kill_9_and_in_shards_block_by_block() {
    let dir = tempfile::tempdir().unwrap();
    let exp = experiment(dir.path(), "race", RACE);
    let one = dir.path().join("one");
    run_ok(&exp, &one, &["--jobs", "1"]);
    let two = dir.path().join("two");
    run_ok(&exp, &two, &["--jobs", "2"]);
    assert_same_race(&one, &two);
    // Killed at growing moments, then run again, until a run finishes by itself.
    let killed = dir.path().join("killed");
    kill_at_growing_moments(
        &exp,
        &killed,
        Duration::from_millis(40),
        Duration::from_secs(180),
    );
    run_ok(&exp, &killed, &[]);
    assert_same_race(&one, &killed);
    // Shards, block by block: 3 looks (4, 8, 12 seeds) and the fresh seeds.
    let sharded = dir.path().join("sharded");
    let o = common::run(&exp, &sharded, &["--shard", "1/2", "--stage", "1"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_contains(&stderr(&o), "needs stage 0 done first");
    for stage in ["0", "1", "2", "3"] {
        for shard in ["1/2", "2/2"] {
            run_ok(&exp, &sharded, &["--shard", shard, "--stage", stage]);
        }
    }
    let o = common::run(&exp, &sharded, &["--shard", "1/2", "--stage", "4"]);
    assert_eq!(o.status.code(), Some(2));
    assert_contains(
        &stderr(&o),
        "--stage 4 is not a stage of this search: it has 4",
    );
    let o = common::sweep_on("report", &sharded, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_same_race(&one, &sharded);
    for table in TABLES {
        assert!(sharded.join(table).is_file());
    }
}

/// A race body with `race` as its `[search.race]` lines (from line 8: `[data]` takes 1-3).
fn with_race(race: &str) -> String {
    format!(
        "[grid]\nlearning_rate = [0.01, 0.02]\nseed = {{ start = 0, count = 8 }}\n\
         [search.race]\n{race}"
    )
}

#[test]
fn bad_races_are_refused_naming_file_line_key_and_what_is_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(String, &str); 9] = [
        (
            with_race("tolerance = \"2 points\"\n"),
            ":8: key `search.race.tolerance`: expected a number, found the string",
        ),
        (
            with_race("tolerance = -0.1\n"),
            ":8: key `search.race.tolerance`: -0.1 is not allowed for `test_acc_1`: a difference above 0 and at most 1",
        ),
        (
            with_race("metric = \"final_test_loss\"\ntolerance = 0\n"),
            ":9: key `search.race.tolerance`: 0 is not allowed for `final_test_loss`: a difference above 0 in the metric's unit",
        ),
        (
            with_race("first = 0\n"),
            ":8: key `search.race.first`: 0 is not allowed",
        ),
        (
            with_race("block = 0\n"),
            ":8: key `search.race.block`: 0 is not allowed",
        ),
        (
            with_race("first = 6\nbudget = 4\n"),
            ":9: key `search.race.budget`: a budget of 4 seed(s) is below the first block (6)",
        ),
        (
            with_race("metric = \"train_loss\"\n"),
            ":8: key `search.race.metric`: `train_loss` is not a metric a race can rank by",
        ),
        (
            "[grid]\nlearning_rate = [0.01]\nseed = { start = 0, count = 8 }\n[search.race]\nfirst = 4\n"
                .to_owned(),
            ":7: key `search.race`: a race needs at least 2 configurations to compare; this experiment has 1",
        ),
        (
            with_race("fresh = 6\n"),
            "key `search.race.first`: a budget of 2 seed(s) is below the first block (4)",
        ),
    ];
    for (body, want) in cases {
        assert_contains(&refused(dir.path(), &body), want);
    }
    let both = format!(
        "[train]\nepochs = 100\n{}[search.halving]\nmetric = \"train_loss\"\nrungs = [50]\n",
        with_race("first = 4\n")
    );
    assert_contains(
        &refused(dir.path(), &both),
        "a race and successive halving cannot share a search",
    );
}

#[test]
fn sweep_slurm_writes_one_array_per_block_of_a_race_and_one_for_the_fresh_seeds() {
    let dir = tempfile::tempdir().unwrap();
    let exp = experiment(dir.path(), "race", RACE);
    let out = dir.path().join("out");
    let o = common::sweep()
        .arg("slurm")
        .arg(&exp)
        .arg("--out")
        .arg(&out)
        .args(["--tasks", "2"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    // Looks at 4, 8 and 12 seeds, then the fresh seeds: stages 0 to 3, each a --stage.
    for k in 0..4 {
        let script = read(&out.join(format!("slurm/stage{k}.sbatch")));
        assert_contains(&script, &format!("--shard auto --stage {k} "));
    }
    assert!(!out.join("slurm/stage4.sbatch").exists());
    assert_contains(&stderr(&o), "24 runs in 2 array task(s)");
}

#[test]
fn sweep_plan_shows_the_worst_best_and_expected_cost_of_a_race() {
    let dir = tempfile::tempdir().unwrap();
    let exp = experiment(dir.path(), "race", RACE);
    let o = common::sweep_on("plan", &exp, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = format!("{}{}", common::stdout(&o), stderr(&o));
    // 6 configurations: worst 6 x 12 + 6 x 4 fresh, best 6 x 4 + 4.
    assert_contains(
        &text,
        "race: by final_train_loss over blocks of seeds [4, 8, 12] (alpha 0.05): worst case 96 \
         runs (5760 run-epochs: every configuration on all 12 seeds of the budget, and 24 on \
         fresh seeds), best case 28; expected about",
    );
}

#[test]
fn a_finished_sweep_reevaluates_its_best_on_fresh_seeds_by_racing_it_on_its_own_runs() {
    let dir = tempfile::tempdir().unwrap();
    let grid = "[train]\nhidden_size = 16\nepochs = 60\neval_every = 20\n\
        [grid]\nlearning_rate = [0.005, 0.05, 0.1]\ngradient = [\"article\", \"exact\"]\n\
        seed = { start = 0, count = 4 }\n";
    let exp = experiment(dir.path(), "grid", grid);
    let out = dir.path().join("out");
    run_ok(&exp, &out, &[]);
    // The same sweep raced on its 4 seeds, 2 fresh ones for its best 2: only those train.
    let o = run_ok(
        &exp,
        &out,
        &[
            "--set",
            "grid.seed={ start = 0, count = 6 }",
            "--set",
            "search.race.metric=\"final_train_loss\"",
            "--set",
            "search.race.first=4",
            "--set",
            "search.race.fresh=2",
            "--set",
            "search.race.reevaluate=2",
        ],
    );
    assert_contains(&stderr(&o), "trained 4 run(s)");
    let rows = race_rows(&out);
    let fresh: Vec<&str> = rows
        .iter()
        .filter(|r| r["fresh_seeds"] == "2")
        .map(|r| r["place"].as_str())
        .collect();
    assert_eq!(fresh.len(), 2);
    assert!(fresh.contains(&"winner"), "{rows:?}");
    assert_contains(&read(&out.join("report.md")), "The winner's optimism");
}

#[test]
fn a_drawn_search_races_too_and_its_report_says_why_it_has_no_variance_shares() {
    let dir = tempfile::tempdir().unwrap();
    let body = "[train]\nhidden_size = 12\nepochs = 40\neval_every = 20\n\
        [grid]\nlearning_rate = { log = [0.002, 0.2] }\nclip = { log = [0.5, 4.0] }\n\
        seed = { start = 0, count = 8 }\n\
        [search]\nmethod = \"sobol\"\nsamples = 6\nseed = 2\n\
        [search.race]\nmetric = \"final_train_loss\"\nfirst = 4\nblock = 2\n";
    let exp = experiment(dir.path(), "drawn", body);
    let out = dir.path().join("out");
    run_ok(&exp, &out, &[]);
    let rows = race_rows(&out);
    assert_eq!(rows.len(), 6);
    assert_eq!(rows.iter().filter(|r| r["place"] == "winner").count(), 1);
    let report = read(&out.join("report.md"));
    assert_contains(&report, "## Race over seeds");
    assert_contains(&report, "Not computed: a drawn search has no full grid");
    assert!(!out.join("shares.csv").exists());
}
