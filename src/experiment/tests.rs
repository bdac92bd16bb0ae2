//! Experiment parsing and grid expansion; every bad input names file, line and key.

use super::*;
use crate::model::Gradient;

fn write(text: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("exp.toml");
    std::fs::write(&path, text).unwrap();
    (dir, path)
}

const DATA: &str = "[data]\ntrain = \"train.tsv\"\ntest = \"test.tsv\"\n";

/// A grid of 4 configurations with the start of a halving table.
const H4: &str =
    "[grid]\nhidden_size = [8, 16]\nclip = [1.0, 2.0]\n[search.halving]\nmetric = \"train_loss\"\n";

fn load(text: &str) -> Result<Experiment> {
    let (_dir, path) = write(text);
    Experiment::load(&path)
}

fn load_err(text: &str) -> String {
    let err = load(text).unwrap_err();
    assert_eq!(err.exit_code(), 2);
    err.to_string()
}

/// The number of runs of an experiment with this `[grid]` body.
fn grid_runs(grid: &str) -> u128 {
    load(&format!("{DATA}[grid]\n{grid}\n"))
        .unwrap()
        .run_count()
}

/// The message refusing an experiment with this `[grid]` body.
fn grid_err(grid: &str) -> String {
    load_err(&format!("{DATA}[grid]\n{grid}\n"))
}

#[test]
fn the_issue_example_parses() {
    let exp = load(&format!(
        "name = \"baseline\"\ndescription = \"d\"\n{DATA}\n[train]\nepochs = 1000\neval_every = 100\n\
         init_scale = 0.001\ngradient = \"article\"\n\n[grid]\nhidden_size = [64]\n\
         learning_rate = [0.02]\nclip = [1.0]\nseed = {{ start = 0, count = 48 }}\n"
    ))
    .unwrap();
    assert_eq!(exp.name, "baseline");
    assert_eq!(exp.run_count(), 48);
    assert_eq!(exp.config_count(), 1);
    assert!(exp.train.ends_with("train.tsv") && exp.train.is_absolute());
    let runs = exp.runs("fp").unwrap();
    assert_eq!(runs.len(), 48);
    assert_eq!((runs[0].seed, runs[47].seed), (0, 47));
    assert_eq!(runs[5].settings.gradient, Gradient::Article);
}

#[test]
fn grid_order_is_canonical_with_seed_innermost() {
    let exp = load(&format!(
        "{DATA}[grid]\nseed = [7, 8]\ngradient = [\"article\", \"exact\"]\nhidden_size = [8, 16]\n"
    ))
    .unwrap();
    assert_eq!(exp.name, "exp");
    let order: Vec<(u64, Gradient, u64)> = exp
        .runs("fp")
        .unwrap()
        .iter()
        .map(|r| (r.settings.hidden_size, r.settings.gradient, r.seed))
        .collect();
    use Gradient::{Article as A, Exact as E};
    assert_eq!(
        order,
        [
            (8, A, 7),
            (8, A, 8),
            (8, E, 7),
            (8, E, 8),
            (16, A, 7),
            (16, A, 8),
            (16, E, 7),
            (16, E, 8)
        ]
    );
    assert_eq!(
        exp.label(&exp.runs("fp").unwrap()[2].settings),
        "h=8 lr=0.02 clip=1 exact"
    );
}

#[test]
fn log_ranges_hit_both_ends() {
    assert_eq!(log_space(1e-3, 1e-1, 3)[0], 1e-3);
    assert!((log_space(1e-3, 1e-1, 3)[1] - 1e-2).abs() < 1e-17);
    assert_eq!(log_space(1e-3, 1e-1, 3)[2], 1e-1);
    assert_eq!(
        grid_runs("learning_rate = { log = [0.001, 0.1], n = 5 }"),
        5
    );
}

#[test]
fn a_log_range_with_equal_ends_is_refused_instead_of_duplicating_runs() {
    // Regression: `{ log = [0.01, 0.01], n = 3 }` gave three runs with one id.
    let msg = grid_err("learning_rate = { log = [0.01, 0.01], n = 3 }");
    assert!(
        msg.contains(
            "exp.toml:5: key `grid.learning_rate`: the range gives the value 0.01 more than once"
        ),
        "{msg}"
    );
    // Ends one ulp apart: the inner steps land on an end or within its label.
    let msg = grid_err("learning_rate = { log = [0.01, 0.010000000000000002], n = 4 }");
    assert!(
        msg.contains("more than once") || msg.contains("both show as 0.01"),
        "{msg}"
    );
    // Equal ends with n = 1 is one value, and fine.
    assert_eq!(
        grid_runs("learning_rate = { log = [0.01, 0.01], n = 1 }"),
        1
    );
}

#[test]
fn values_that_are_equal_or_share_a_label_are_refused_in_any_axis() {
    let cases = [
        (
            "clip = [1, 1.0]",
            "key `grid.clip`: the value 1 is listed twice",
        ),
        (
            "init_scale = [0.0, -0.0]",
            "key `grid.init_scale`: the value -0 is listed twice",
        ),
        (
            "gradient = [\"exact\", \"article\", \"exact\"]",
            "key `grid.gradient`: the value exact is listed twice",
        ),
        (
            "learning_rate = [0.02, 0.020001]",
            "key `grid.learning_rate`: the values 0.02 and 0.020001 both show as 0.02 in \
             configuration labels",
        ),
        (
            "learning_rate = { log = [0.01, 0.0100001], n = 3 }",
            "both show as 0.01 in configuration labels",
        ),
    ];
    for (grid, want) in cases {
        let msg = grid_err(grid);
        assert!(msg.contains(want), "{grid}\n{msg}\n--- lacks ---\n{want}");
    }
    // Distinct values, and long integer ranges, are fine.
    assert_eq!(
        grid_runs("learning_rate = [0.02, 0.0201]\nseed = { start = 0, count = 1000 }"),
        2000
    );
}

#[test]
fn resolved_toml_loads_back_to_the_same_runs() {
    let dir = tempfile::tempdir().unwrap();
    let exp_path = dir.path().join("e.toml");
    std::fs::write(
        &exp_path,
        format!("{DATA}[train]\nclip = inf\n[grid]\nlearning_rate = {{ log = [0.001, 0.1], n = 3 }}\nseed = {{ start = 3, count = 2 }}\n"),
    )
    .unwrap();
    let exp = Experiment::load(&exp_path).unwrap();
    let again_path = dir.path().join("again.toml");
    std::fs::write(&again_path, exp.resolved_toml("fp")).unwrap();
    let again = Experiment::load(&again_path).unwrap();
    let ids = |e: &Experiment| {
        e.runs("fp")
            .unwrap()
            .into_iter()
            .map(|r| r.id)
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&exp), ids(&again));
}

#[test]
fn bad_experiments_name_file_line_and_key() {
    let cases: Vec<(String, &str)> = vec![
        (
            format!("{DATA}[grid]\nhidden_size = [64\n"),
            "exp.toml:5:18: TOML syntax error: unclosed array",
        ),
        (
            format!("{DATA}[train]\nlerning_rate = 0.1\n"),
            "exp.toml:5: key `train.lerning_rate`: unknown key (allowed: hidden_size, learning_rate, clip, gradient, epochs, eval_every, init_scale, seed); did you mean `learning_rate`?",
        ),
        (
            format!("nmae = \"x\"\n{DATA}"),
            "key `nmae`: unknown key (allowed: name, description, data, train, grid, search, report); did you mean `name`?",
        ),
        (
            format!("{DATA}[grid]\nhidden_size = \"64\"\n"),
            "exp.toml:5: key `grid.hidden_size`: expected a list of values or a range `{ start = 0, count = 16 }`, found the string \"64\"",
        ),
        (
            format!("{DATA}[grid]\nhidden_size = [64.5]\n"),
            "key `grid.hidden_size`: expected an integer, found the number 64.5",
        ),
        (
            format!("{DATA}[grid]\nclip = []\n"),
            "key `grid.clip`: the list is empty",
        ),
        (
            format!("{DATA}[grid]\nlearning_rate = [0.1, -0.5]\n"),
            "exp.toml:5: key `grid.learning_rate`: `learning_rate` = -0.5 is not allowed: a finite number > 0",
        ),
        (
            format!("{DATA}[train]\nlearning_rate = nan\n"),
            "`learning_rate` = nan is not allowed",
        ),
        (
            format!("{DATA}[train]\nlearning_rate = inf\n"),
            "`learning_rate` = inf is not allowed",
        ),
        (
            format!("{DATA}[train]\nhidden_size = 0\n"),
            "key `train.hidden_size`: `hidden_size` = 0 is not allowed",
        ),
        (
            format!("{DATA}[train]\nepochs = 0\n"),
            "key `train.epochs`: `epochs` = 0 is not allowed",
        ),
        (
            format!("{DATA}[train]\nepochs = 50\neval_every = 100\n"),
            "key `train.eval_every`: `eval_every` = 100 is not allowed: an integer from 1 to epochs (50)",
        ),
        (
            format!("{DATA}[train]\nclip = 0\n"),
            "key `train.clip`: `clip` = 0 is not allowed",
        ),
        (
            format!("{DATA}[train]\ngradient = \"transposed\"\n"),
            "key `train.gradient`: `transposed` is not a gradient variant; allowed: article, exact",
        ),
        (
            format!("name = \"../x\"\n{DATA}"),
            "exp.toml:1: key `name`: `../x` is not allowed: letters, digits, - and _ only",
        ),
        (
            format!("{DATA}[train]\nclip = 1.0\n[grid]\nclip = [1.0, 2.0]\n"),
            "clip`: `clip` is also set in [",
        ),
        (
            format!("{DATA}[grid]\nseed = [-1]\n"),
            "key `grid.seed`: -1 is not allowed: an integer >= 0 (at most 2^64 - 1)",
        ),
        (
            format!("{DATA}[grid]\nseed = [18446744073709551616]\n"),
            "18446744073709551616 is not allowed",
        ),
        (
            format!("{DATA}[grid]\nseed = [1, 2, 1]\n"),
            "key `grid.seed`: the value 1 is listed twice",
        ),
        (
            format!("{DATA}[grid]\nseed = {{ start = 0 }}\n"),
            "a range needs both `start` and `count`",
        ),
        (
            format!("{DATA}[grid]\nlearning_rate = {{ log = [0.1, 0.01], n = 3 }}\n"),
            "key `grid.learning_rate.log`: [0.1, 0.01] is not allowed",
        ),
        (
            "[train]\nepochs = 10\n".to_owned(),
            "exp.toml: key `data`: missing",
        ),
        (
            "[data]\ntrain = \"a.tsv\"\n".to_owned(),
            "key `data.test`: missing",
        ),
        (
            format!("{DATA}[grid]\nhidden_size = [8]\nhidden_size = [9]\n"),
            "exp.toml:6:1: TOML syntax error: duplicate key",
        ),
    ];
    for (text, want) in cases {
        let msg = load_err(&text);
        assert!(
            msg.contains(want),
            "{text}\n---\n{msg}\n--- lacks ---\n{want}"
        );
    }
}

#[test]
fn an_explicit_name_wins_over_a_file_stem_that_is_not_a_valid_name() {
    // Regression: `my exp!.toml` was refused even though it set a valid `name`.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("my exp!.toml");
    std::fs::write(&path, format!("name = \"my-exp\"\n{DATA}")).unwrap();
    assert_eq!(Experiment::load(&path).unwrap().name, "my-exp");
    // Without a name the stem is the name, and then it must be valid.
    std::fs::write(&path, DATA).unwrap();
    let err = Experiment::load(&path).unwrap_err();
    assert_eq!(err.exit_code(), 2);
    assert!(
        err.to_string().ends_with(
            "my exp!.toml: key `name`: the file name `my exp!` is not a valid experiment name; \
             set `name` (letters, digits, - and _ only)"
        ),
        "{err}"
    );
    // An invalid explicit name is still an error at its line, whatever the stem.
    std::fs::write(&path, format!("name = \"a b\"\n{DATA}")).unwrap();
    let err = Experiment::load(&path).unwrap_err().to_string();
    assert!(
        err.ends_with(
            "my exp!.toml:1: key `name`: `a b` is not allowed: letters, digits, - and _ only"
        ),
        "{err}"
    );
}

#[test]
fn unreadable_or_directory_experiment() {
    let dir = tempfile::tempdir().unwrap();
    let err = Experiment::load(dir.path()).unwrap_err();
    assert_eq!(err.exit_code(), 2);
    assert!(
        err.to_string().contains("cannot read the experiment file"),
        "{err}"
    );
    let err = Experiment::load(&dir.path().join("none.toml")).unwrap_err();
    assert!(
        err.to_string()
            .contains("none.toml: cannot read the experiment file"),
        "{err}"
    );
}

fn load_set(text: &str, sets: &[&str]) -> Result<Experiment> {
    let (_dir, path) = write(text);
    let overrides: Vec<Override> = sets.iter().map(|s| Override::parse(s).unwrap()).collect();
    Experiment::load_with(&path, &overrides)
}

#[test]
fn an_override_gives_the_runs_of_the_same_edit_in_the_file() {
    let base = format!("{DATA}[train]\nepochs = 1000\n[grid]\nseed = [0, 1]\n");
    let edited = format!(
        "{DATA}[train]\nepochs = 200\n[grid]\nseed = {{ start = 0, count = 4 }}\nclip = [1.0, 5.0]\n"
    );
    let set = load_set(
        &base,
        &[
            "train.epochs=200",
            "grid.seed={ start = 0, count = 4 }",
            "grid.clip=[1.0, 5.0]",
        ],
    )
    .unwrap();
    let ids = |e: &Experiment| -> Vec<String> {
        e.runs("fp").unwrap().into_iter().map(|r| r.id).collect()
    };
    let file = load(&edited).unwrap();
    assert_eq!(ids(&set), ids(&file));
    assert_eq!(set.run_count(), 8);
    // The resolved experiment records them, and loads back to the same runs.
    let resolved = set.resolved_toml("fp");
    assert!(
        resolved.contains("# with --set train.epochs=200\n"),
        "{resolved}"
    );
    assert_eq!(ids(&load(&resolved).unwrap()), ids(&file));
}

#[test]
fn an_override_is_checked_by_the_files_rules_and_named_in_the_message() {
    let base = format!("{DATA}[grid]\nclip = [1.0, 2.0]\n");
    let cases = [
        (
            "train.epochs=abc",
            "exp.toml: --set train.epochs=abc: expected an integer, found the string \"abc\"",
        ),
        (
            "train.epochs=0",
            "--set train.epochs=0: `epochs` = 0 is not allowed",
        ),
        (
            "train.epoch=5",
            "--set train.epoch=5: unknown key (allowed: hidden_size, learning_rate, clip, \
             gradient, epochs, eval_every, init_scale, seed); did you mean `epochs`?",
        ),
        (
            "train.clip=2.0",
            "--set train.clip=2.0: `clip` is also set in [grid]; a setting is either fixed or swept",
        ),
        (
            "grid.seed=[1, 1]",
            "--set grid.seed=[1, 1]: the value 1 is listed twice",
        ),
        (
            "data.valid=x.tsv",
            "--set data.valid=x.tsv: unknown key (allowed: train, test)",
        ),
        ("traine.epochs=3", "--set traine.epochs=3: unknown key"),
    ];
    for (set, want) in cases {
        let err = load_set(&base, &[set]).unwrap_err();
        assert_eq!(err.exit_code(), 2);
        let msg = err.to_string();
        assert!(
            msg.contains(want),
            "{set}\n---\n{msg}\n--- lacks ---\n{want}"
        );
    }
    // A later override of the same key wins, as a later edit would.
    let e = load_set(&base, &["grid.clip=[3.0]", "grid.clip=[4.0, 5.0]"]).unwrap();
    assert_eq!(
        e.axis(Key::Clip).values,
        [Value::Float(4.0), Value::Float(5.0)]
    );
    assert!(Override::parse("train.epochs").is_err());
    assert!(Override::parse("=3").is_err());
}

#[test]
fn a_set_value_is_one_toml_value_on_one_line_refused_before_anything_else() {
    // Regression (issue #22): `60\nx=1` parsed as a document with keys `v` and `x`, so
    // `x=1` was ignored, the runs trained, and the line break broke experiment.toml.
    for (text, want) in [
        (
            "train.epochs=60\nx=1",
            "`train.epochs=60\\nx=1`: the value has a control character (\\n); allowed: one \
             TOML value on one line",
        ),
        ("train.epochs=60\rx=1", "control character (\\r)"),
        ("data.train=a\u{7}b", "control character (\\u{7})"),
        (
            "train epochs=3",
            "`train epochs` is not a key of an experiment file; allowed: names of letters",
        ),
        ("train.=3", "is not a key of an experiment file"),
        ("train\n.epochs=3", "`train\\n.epochs` is not a key"),
    ] {
        let err = Override::parse(text).unwrap_err();
        assert!(err.contains(want), "{text:?}: {err}\n--- lacks ---\n{want}");
        assert!(!err.contains('\n'), "{text:?}: {err}");
    }
    // A TOML comment after the value leaves it one value.
    let o = Override::parse("grid.seed=[0, 1] # two seeds").unwrap();
    assert_eq!(o.value, "[0, 1] # two seeds");
}

#[test]
fn a_section_given_a_value_is_named_a_section_with_its_keys() {
    // Regression (issue #22): `--set train=5` said "unknown key" of a known section.
    let base = format!("{DATA}[train]\nepochs = 10\n");
    for (set, want) in [
        (
            "train=5",
            "--set train=5: `train` is a section, not a key; set one of its keys: \
             train.hidden_size, train.learning_rate, train.clip, train.gradient, \
             train.epochs, train.eval_every, train.init_scale, train.seed (e.g. `--set \
             train.epochs=...`)",
        ),
        (
            "train={epochs=10}",
            "--set train={epochs=10}: `train` is a section, not a key",
        ),
        (
            "grid=[1]",
            "`grid` is a section, not a key; set one of its keys: grid.hidden_size",
        ),
        (
            "data=x.tsv",
            "`data` is a section, not a key; set one of its keys: data.train, data.test",
        ),
        (
            "search=1",
            "set one of its keys: search.method, search.samples",
        ),
        (
            "report=1",
            "set one of its keys: report.facet, report.color",
        ),
    ] {
        let err = load_set(&base, &[set]).unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert!(
            err.to_string().contains(want),
            "{set}: {err}\n--- lacks ---\n{want}"
        );
    }
}

#[test]
fn an_override_is_recorded_on_one_comment_line_whatever_its_value() {
    // An `Override` built by hand (not by `parse`) with a line break in a one-value TOML
    // document: the resolved experiment must still read back as the same runs.
    let (_dir, path) = write(&format!("{DATA}[train]\nepochs = 10\n"));
    let o = Override {
        key: "grid.seed".into(),
        value: "[0,\n1]".into(),
    };
    let exp = Experiment::load_with(&path, &[o]).unwrap();
    let resolved = exp.resolved_toml("fp");
    assert!(
        resolved.contains("\n# with --set grid.seed=[0,\\n1]\n"),
        "{resolved}"
    );
    let back = Experiment::from_text(&path, &resolved).unwrap();
    let ids = |e: &Experiment| -> Vec<String> {
        e.runs("fp").unwrap().into_iter().map(|r| r.id).collect()
    };
    assert_eq!(ids(&back), ids(&exp));
}

#[test]
fn data_paths_can_come_from_overrides_alone_relative_to_the_current_directory() {
    let e = load_set(
        "[train]\nepochs = 10\n",
        &["data.train=some/train.tsv", "data.test=\"t.tsv\""],
    )
    .unwrap();
    assert_eq!(e.train, PathBuf::from("some/train.tsv"));
    assert_eq!(e.test, PathBuf::from("t.tsv"));
}

#[test]
fn a_short_run_without_eval_every_evaluates_at_its_end_and_long_runs_keep_100() {
    // Regression: `epochs = 50` alone was refused over the default `eval_every = 100`.
    let short = load(&format!("{DATA}[train]\nepochs = 50\n")).unwrap();
    let run = &short.runs("fp").unwrap()[0];
    assert_eq!(run.settings.eval_every, 50);
    let mixed = load(&format!("{DATA}[grid]\nepochs = [50, 1000]\n")).unwrap();
    let evals: Vec<u64> = mixed
        .runs("fp")
        .unwrap()
        .iter()
        .map(|r| r.settings.eval_every)
        .collect();
    assert_eq!(evals, [50, 100]);
    // The resolved file leaves the default to the same rule, and gives the same runs.
    let resolved = mixed.resolved_toml("fp");
    let again = load(&resolved).unwrap();
    let ids = |e: &Experiment| -> Vec<String> {
        e.runs("fp").unwrap().into_iter().map(|r| r.id).collect()
    };
    assert_eq!(ids(&again), ids(&mixed));
    // Existing files (100 epochs or more) get the same ids as an explicit 100.
    let explicit = load(&format!("{DATA}[train]\neval_every = 100\n")).unwrap();
    assert_eq!(ids(&load(DATA).unwrap()), ids(&explicit));
    // An explicit value is still checked against the epochs.
    let err = load_err(&format!("{DATA}[train]\nepochs = 50\neval_every = 100\n"));
    assert!(err.contains("`eval_every` = 100 is not allowed"), "{err}");
}

const SEARCH: &str = "[train]\nepochs = 300\n\
                      [grid]\nlearning_rate = { log = [1e-3, 1.0] }\nclip = { uniform = [0.5, 5.0] }\n\
                      hidden_size = { int = [8, 64] }\ngradient = [\"article\", \"exact\"]\n\
                      seed = { start = 0, count = 3 }\n\
                      [search]\nmethod = \"random\"\nsamples = 10\nseed = 7\n";

#[test]
fn a_random_search_draws_its_configurations_reproducibly_on_every_seed() {
    let exp = load(&format!("{DATA}{SEARCH}")).unwrap();
    assert!(exp.is_search());
    let runs = exp.runs("fp").unwrap();
    assert_eq!(runs.len(), exp.points.len() * 3);
    assert_eq!(exp.points.len(), 10, "ten distinct draws");
    // Seeds innermost, every configuration on every seed.
    assert_eq!(
        runs.iter().take(3).map(|r| r.seed).collect::<Vec<_>>(),
        [0, 1, 2]
    );
    assert!(runs[..3].iter().all(|r| r.settings == runs[0].settings));
    // Values rounded to four significant digits, within the bounds.
    for r in &runs {
        let lr = r.settings.learning_rate;
        assert!((1e-3..=1.0).contains(&lr), "{lr}");
        assert_eq!(crate::number::short_float(lr).parse::<f64>().unwrap(), lr);
        assert!((8..=64).contains(&r.settings.hidden_size));
    }
    // The same file gives the same ids; the resolved file too.
    let ids = |e: &Experiment| -> Vec<String> {
        e.runs("fp").unwrap().into_iter().map(|r| r.id).collect()
    };
    assert_eq!(ids(&load(&format!("{DATA}{SEARCH}")).unwrap()), ids(&exp));
    let resolved = exp.resolved_toml("fp");
    assert!(
        resolved.contains("learning_rate = { log = [0.001, 1.0] }"),
        "{resolved}"
    );
    assert_eq!(ids(&load(&resolved).unwrap()), ids(&exp));
    // A drawn value typed back into a grid gives the same run.
    let first = &runs[0].settings;
    let grid = load(&format!(
        "{DATA}[train]\nepochs = 300\nlearning_rate = {}\nclip = {}\nhidden_size = {}\ngradient = \"{}\"\n",
        first.learning_rate, first.clip, first.hidden_size, first.gradient
    ))
    .unwrap();
    assert_eq!(grid.runs("fp").unwrap()[0].id, runs[0].id);
    // Another search seed, other configurations.
    let other = load(&format!("{DATA}{}", SEARCH.replace("seed = 7", "seed = 8"))).unwrap();
    assert_ne!(ids(&other), ids(&exp));
}

#[test]
fn a_sobol_search_and_its_labels() {
    let exp = load(&format!("{DATA}{}", SEARCH.replace("random", "sobol"))).unwrap();
    let runs = exp.runs("fp").unwrap();
    let label = exp.label(&runs[0].settings);
    // Every sampled setting is in the label, to four significant digits.
    assert!(label.starts_with("h="), "{label}");
    assert!(
        label.contains(" lr=") && label.contains(" clip="),
        "{label}"
    );
}

#[test]
fn bad_searches_name_file_line_and_key() {
    let cases = [
        (
            format!("{DATA}[grid]\nlearning_rate = {{ log = [1e-3, 1.0] }}\n"),
            "key `grid.learning_rate`: a distribution (`log`) needs a search",
        ),
        (
            format!(
                "{DATA}[grid]\nlearning_rate = {{ log = [0.0, 1.0] }}\n[search]\nmethod = \"random\"\nsamples = 4\n"
            ),
            "key `grid.learning_rate.log`: [0, 1] is not allowed: a log scale needs low > 0",
        ),
        (
            format!(
                "{DATA}[grid]\nhidden_size = {{ int = [8.5, 64] }}\n[search]\nmethod = \"random\"\nsamples = 4\n"
            ),
            "key `grid.hidden_size.int`: expected an integer, found the number 8.5",
        ),
        (
            format!(
                "{DATA}[grid]\nclip = {{ uniform = [2.0, 1.0] }}\n[search]\nmethod = \"random\"\nsamples = 4\n"
            ),
            "[2, 1] is not allowed: need low < high",
        ),
        (
            format!(
                "{DATA}[grid]\nclip = {{ int = [1, 3] }}\n[search]\nmethod = \"random\"\nsamples = 4\n"
            ),
            "`clip` cannot be drawn from `int`; allowed: `log` or `uniform`",
        ),
        (
            format!("{DATA}[search]\nmethod = \"random\"\nsamples = 0\n"),
            "key `search.samples`: 0 is not allowed: an integer from 1 to 1000000",
        ),
        (
            format!("{DATA}[search]\nmethod = \"random\"\n"),
            "key `search.samples`: missing",
        ),
        (
            format!("{DATA}[search]\nmethod = \"bayes\"\nsamples = 3\n"),
            "`bayes` is not a search method; allowed: grid, random, sobol",
        ),
        (
            format!("{DATA}[search]\nmethod = \"sobol\"\nsamples = 70000\n"),
            "beyond the Sobol generator: at most 65536 samples",
        ),
        (
            format!("{DATA}[search.halving]\nmetric = \"train_loss\"\nrungs = [300, 100]\n"),
            "key `search.halving.rungs`: [300, 100] is not allowed: one or more epochs, increasing",
        ),
        (
            format!("{DATA}[search.halving]\nmetric = \"train_loss\"\nrungs = [100, 1000]\n"),
            "each before the last epoch (1000)",
        ),
        (
            format!("{DATA}[search.halving]\nmetric = \"loss\"\nrungs = [100]\n"),
            "`loss` is not a metric halving can rank by; allowed: train_loss, train_acc, test_loss, test_acc",
        ),
        (
            format!("{DATA}[search.halving]\nmetric = \"train_loss\"\nrungs = [100]\nkeep = [0]\n"),
            "key `search.halving.keep`: 0 is not allowed",
        ),
        (
            format!("{DATA}[search.halving]\nmetric = \"test_acc\"\nrungs = [150]\n"),
            "rung 150 is not an evaluation epoch",
        ),
        // Regressions (#22): keys one of which was silently ignored, clamped or costly
        // counts, draw keys on a grid.
        (
            format!("{DATA}{H4}rungs = [100]\nkeep = [2]\nreduction_factor = 3\n"),
            "key `search.halving.reduction_factor`: `reduction_factor` would be ignored beside `keep`",
        ),
        (
            format!("{DATA}{H4}rungs = [100]\nmin_epochs = 50\n"),
            "key `search.halving.min_epochs`: `min_epochs` would be ignored beside `rungs`",
        ),
        (
            format!("{DATA}{H4}rungs = [100, 300]\nkeep = [2, 3]\n"),
            "[2, 3] is not allowed: counts that do not increase",
        ),
        (
            format!("{DATA}{H4}rungs = [100, 300]\nkeep = [4, 2]\n"),
            "[4, 2] is not allowed: counts below the 4 configurations",
        ),
        (
            format!("{DATA}[grid]\nhidden_size = [8, 16]\n[search]\nsamples = 5\n"),
            "key `search.samples`: `samples` applies to a drawn search",
        ),
        (
            format!("{DATA}[grid]\nhidden_size = [8, 16]\n[search]\nseed = 0\n"),
            "key `search.seed`: `seed` applies to a drawn search",
        ),
        (
            format!("{DATA}[train]\nepochs = -5\n"),
            "-5 is not allowed: an integer from 1 to 1000000",
        ),
    ];
    for (text, want) in cases {
        let msg = load_err(&text);
        assert!(
            msg.contains(want),
            "{text}\n---\n{msg}\n--- lacks ---\n{want}"
        );
    }
}

#[test]
fn a_report_table_is_checked_like_the_rest_and_resolved_back() {
    let grid = "[grid]\nlearning_rate = [0.01, 0.02]\nclip = [1.0, 3.0]\n";
    let exp = load(&format!(
        "{DATA}{grid}[report]\nfacet = [\"clip\"]\ncolor = \"learning_rate\"\n\
         configs = [\"h=64 lr=0.01 clip=3 article\"]\nrank_by = \"final_test_acc\"\n"
    ))
    .unwrap();
    assert_eq!(exp.report.facet, [Key::Clip]);
    assert_eq!(exp.report.color, Some(Key::LearningRate));
    assert_eq!(exp.report.rank_by.as_ref().unwrap().0, "final_test_acc");
    // The resolved experiment keeps the table, and reads back to the same.
    let resolved = exp.resolved_toml("fp");
    assert!(
        resolved.ends_with(
            "[report]\nfacet = [\"clip\"]\ncolor = \"learning_rate\"\n\
             configs = [\"h=64 lr=0.01 clip=3 article\"]\nrank_by = \"final_test_acc\"\n"
        ),
        "{resolved}"
    );
    let again = Experiment::from_text(&exp.path, &resolved).unwrap();
    let keys = |r: &ReportKeys| {
        (
            r.facet.clone(),
            r.color,
            r.configs.clone(),
            r.rank_by.clone().map(|m| m.0),
        )
    };
    assert_eq!(keys(&again.report), keys(&exp.report));
    // The run ids do not depend on how the report is drawn.
    let plain = load(&format!("{DATA}{grid}")).unwrap();
    let ids = |e: &Experiment| -> Vec<String> {
        e.runs("fp").unwrap().into_iter().map(|r| r.id).collect()
    };
    assert_eq!(ids(&exp), ids(&plain));
    for (table, want) in [
        (
            "colour = \"clip\"",
            ":8: key `report.colour`: unknown key (allowed: facet, color, configs, rank_by); did you mean `color`?",
        ),
        (
            "facet = \"seed\"",
            ":8: key `report.facet`: `seed` is not a setting",
        ),
        (
            "facet = \"gradient\"",
            ":8: key `report.facet`: `gradient` is not swept by this experiment; swept: learning_rate, clip",
        ),
        (
            "facet = [\"clip\", \"learning_rate\", \"clip\"]",
            "3 settings given; at most two",
        ),
        (
            "facet = \"clip\"\ncolor = \"clip\"",
            ":9: key `report.color`: `clip` is named twice",
        ),
        (
            "configs = [\"h=64 lr=0.03 clip=1 article\"]",
            "no configuration of the grid is labelled `h=64 lr=0.03 clip=1 article`",
        ),
        ("rank_by = 3", "expected a string, found the integer 3"),
    ] {
        let message = load_err(&format!("{DATA}{grid}[report]\n{table}\n"));
        assert!(message.contains(want), "{table}: {message}");
    }
}

#[test]
fn search_and_report_keys_can_be_overridden_too() {
    let exp = load_set(
        &format!("{DATA}{SEARCH}"),
        &[
            "search.samples=4",
            "search.method=\"random\"",
            "search.halving.metric=\"train_loss\"",
            "search.halving.rungs=[100]",
            "report.rank_by=\"final_train_loss\"",
        ],
    )
    .unwrap();
    assert_eq!(exp.points.len(), 4);
    assert_eq!(exp.search.halving.as_ref().unwrap().rungs, [100]);
    let err = load_set(&format!("{DATA}{SEARCH}"), &["search.samples=0"])
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("--set search.samples=0: 0 is not allowed: an integer from 1"),
        "{err}"
    );
    let err = load_set(&format!("{DATA}{SEARCH}"), &["search.halving.rungs=[100]"])
        .unwrap_err()
        .to_string();
    // The table was started by the --set, which the message names (#22: it named line 1).
    assert!(
        err.contains("--set search.halving.rungs=[100]: missing: the metric to rank"),
        "{err}"
    );
}

#[test]
fn an_experiment_file_that_is_not_utf8_names_line_and_byte() {
    // Regression (#22): no line or byte offset, where data files have both.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("exp.toml");
    std::fs::write(&path, b"name = \"x\"\ndescription = \"caf\xe9\"\n").unwrap();
    let msg = Experiment::load(&path).unwrap_err().to_string();
    assert!(
        msg.ends_with(
            "exp.toml:2:19: not valid UTF-8 (byte 0xE9); experiment files must be UTF-8 text"
        ),
        "{msg}"
    );
}

#[test]
fn a_halving_table_started_by_set_is_named_in_its_messages() {
    // Regression (#22): the message pointed at the file's line 1, where nothing is.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("exp.toml");
    std::fs::write(&path, format!("{DATA}[grid]\nhidden_size = [8, 16]\n")).unwrap();
    let set = Override::parse("search.halving.metric=train_loss").unwrap();
    let msg = Experiment::load_with(&path, &[set])
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("exp.toml: --set search.halving.metric=train_loss: missing: give `rungs"),
        "{msg}"
    );
}

#[test]
fn a_set_halving_key_replaces_its_alternative_in_the_file() {
    // Review: `--set search.halving.keep=...` on a file with `reduction_factor` was refused as
    // a conflict, though an override cannot remove the file's key.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("exp.toml");
    std::fs::write(
        &path,
        format!("{DATA}{H4}rungs = [100, 300]\nreduction_factor = 2\n"),
    )
    .unwrap();
    let set = Override::parse("search.halving.keep=[2, 1]").unwrap();
    let exp = Experiment::load_with(&path, &[set]).unwrap();
    let h = exp.search.halving.unwrap();
    assert_eq!(h.keep, crate::search::Keep::Counts(vec![2, 1]));
    let set = Override::parse("search.halving.min_epochs=50").unwrap();
    let exp = Experiment::load_with(&path, &[set]).unwrap();
    assert_eq!(exp.search.halving.unwrap().rungs, [50, 100, 200, 400, 800]);
}
