//! End-to-end tests of an unfinished successive halving search (issue #22 item 3): the
//! runs of a configuration the search promoted whose later record is not there yet have no
//! record yet in the tables (never `pruned`), a configuration never mixes finished and
//! stopped seeds, and the report says the search is unfinished and what is missing.

use std::collections::BTreeMap;

use crate::common::*;

/// 9 Sobol configurations x 3 seeds, halving at epochs 20 and 60 (9 -> 3 -> 1).
const SEARCH: &str = "[train]\nepochs = 150\neval_every = 50\ngradient = \"exact\"\n\
    [grid]\nlearning_rate = { log = [0.01, 0.3] }\nclip = { uniform = [0.5, 5.0] }\n\
    hidden_size = { log_int = [8, 24] }\nseed = { start = 0, count = 3 }\n\
    [search]\nmethod = \"sobol\"\nsamples = 9\nseed = 5\n\
    [search.halving]\nmetric = \"train_loss\"\nrungs = [20, 60]\nreduction_factor = 3\n";

/// Each configuration's statuses in runs.csv.
fn statuses_by_config(out: &std::path::Path) -> BTreeMap<String, Vec<String>> {
    let mut by: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for r in csv_rows(&out.join("runs.csv")) {
        by.entry(r["config"].clone())
            .or_default()
            .push(r["status"].clone());
    }
    by
}

#[test]
fn a_search_with_part_of_its_last_stage_is_reported_unfinished() {
    let dir = tempfile::tempdir().unwrap();
    let exp = experiment(dir.path(), "h", SEARCH);
    let out = dir.path().join("out");
    for stage in ["0", "1"] {
        for shard in ["1/2", "2/2"] {
            run_ok(&exp, &out, &["--shard", shard, "--stage", stage]);
        }
    }
    let o = sweep_on("report", &out, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    // Stage 2 has not run: the one configuration still in has no record of its result yet.
    assert_contains(&stderr(&o), "3 of 27 runs have no record yet");
    let by = statuses_by_config(&out);
    for (config, statuses) in &by {
        assert!(
            statuses.iter().all(|s| s == "pruned"),
            "{config}: {statuses:?}"
        );
    }
    assert_eq!(by.values().map(Vec::len).sum::<usize>(), 24);
    let report = read(&out.join("report.md"));
    assert_contains(&report, "The search is not finished");
    assert_contains(&report, "still has 3 run(s) to train");
    assert_contains(&report, "trains, once finished,");

    // Half of the last stage: its configuration shows the seeds it has, not pruned ones.
    run_ok(&exp, &out, &["--shard", "1/2", "--stage", "2"]);
    sweep_on("report", &out, &[]);
    for (config, statuses) in statuses_by_config(&out) {
        let ok = statuses.iter().filter(|s| *s == "ok").count();
        assert!(
            ok == 0 || ok == statuses.len(),
            "{config} mixes finished and stopped seeds: {statuses:?}"
        );
    }
    assert_contains(&read(&out.join("report.md")), "The search is not finished");

    // Finished: every seed of the last configuration, and no warning.
    run_ok(&exp, &out, &["--shard", "2/2", "--stage", "2"]);
    let o = sweep_on("report", &out, &[]);
    assert!(!stderr(&o).contains("no record yet"), "{}", stderr(&o));
    let by = statuses_by_config(&out);
    assert_eq!(by.values().filter(|s| s[0] == "ok").count(), 1);
    assert!(!read(&out.join("report.md")).contains("not finished"));
}
