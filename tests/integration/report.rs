//! End-to-end tests of what a user reads after a sweep: figures, report.md, tables, predict.

use std::path::{Path, PathBuf};

use crate::common::{
    TABLES, assert_contains, csv_rows, data, experiment, experiment_with, read, run_ids, run_ok,
    stderr, stdout, sweep, sweep_on,
};

/// Runs a small sweep named `small` with `body` as its settings into `<dir>/out`.
fn small_sweep(dir: &Path, body: &str) -> PathBuf {
    let exp = experiment_with(
        dir,
        "exp",
        "name = \"small\"\ndescription = \"a small test sweep\"\n",
        body,
    );
    let out = dir.join("out");
    run_ok(&exp, &out, &[]);
    out
}

const GRID: &str = "[train]\nepochs = 60\neval_every = 20\nhidden_size = 8\n\
                    [grid]\nlearning_rate = [0.02, 0.1]\nclip = [1.0, 5.0]\n\
                    gradient = [\"article\", \"exact\"]\nseed = [0, 1, 2]\n";

/// Decodes a PNG: (width, height, variance of its grey levels).
fn png_stats(path: &Path) -> (u32, u32, f64) {
    let decoder = png::Decoder::new(std::fs::File::open(path).unwrap());
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = info.color_type.samples();
    let grey: Vec<f64> = buf[..info.buffer_size()]
        .chunks(channels)
        .map(|p| p.iter().take(3).map(|&c| f64::from(c)).sum::<f64>() / 3.0)
        .collect();
    let mean = grey.iter().sum::<f64>() / grey.len() as f64;
    let var = grey.iter().map(|g| (g - mean).powi(2)).sum::<f64>() / grey.len() as f64;
    (info.width, info.height, var)
}

/// Decodes a PNG: its width, height and whether its outermost pixels are all white (nothing
/// was drawn up to, or cut off at, the edge of the image).
fn png_edges_white(path: &Path) -> bool {
    let decoder = png::Decoder::new(std::fs::File::open(path).unwrap());
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    let (w, h, channels) = (
        info.width as usize,
        info.height as usize,
        info.color_type.samples(),
    );
    let white = |x: usize, y: usize| {
        let p = &buf[(y * w + x) * channels..][..3];
        p.iter().all(|&c| c == 255)
    };
    (0..w).all(|x| white(x, 0) && white(x, h - 1)) && (0..h).all(|y| white(0, y) && white(w - 1, y))
}

/// The figures' file names under `<out>/plots`, sorted.
fn plot_names(out: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(out.join("plots"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

#[test]
fn figures_are_non_blank_pngs_with_nothing_at_their_edges() {
    let dir = tempfile::tempdir().unwrap();
    let out = small_sweep(dir.path(), GRID);
    let plots = out.join("plots");
    let names = plot_names(&out);
    let want_configs = 8;
    assert_eq!(
        names.iter().filter(|n| n.starts_with("curves-")).count(),
        want_configs,
        "{names:?}"
    );
    for want in [
        "loss-train.png",
        "loss-test.png",
        "accuracy-train.png",
        "accuracy-test.png",
        "final-vs-learning_rate.png",
        "final-vs-clip.png",
        "final-vs-gradient.png",
        "heatmap-learning_rate-clip.png",
        "heatmap-learning_rate-gradient.png",
        "heatmap-clip-gradient.png",
        "curves-h8_lr0.1_clip5_exact.png",
    ] {
        assert!(
            names.contains(&want.to_owned()),
            "{want} missing from {names:?}"
        );
    }
    for name in &names {
        let path = plots.join(name);
        let (w, h, var) = png_stats(&path);
        assert!(
            (500..=4000).contains(&w) && (300..=2400).contains(&h),
            "{name}: {w} x {h}"
        );
        assert!(var > 100.0, "{name} looks blank (grey variance {var})");
        assert!(png_edges_white(&path), "{name} is drawn up to its edge");
    }
}

/// The file of a configuration's every-seed figure.
fn figure_of(label: &str) -> String {
    format!("curves-{}.png", sweep::report::plot::file_safe(label))
}

/// `sweep run` over `body` into `<dir>/out`, quietly and without weights.
fn grid_sweep(dir: &Path, body: &str) -> PathBuf {
    let exp = experiment(dir, "grid", body);
    let out = dir.join("out");
    run_ok(&exp, &out, &["--quiet", "--no-weights"]);
    out
}

/// Tiny runs (4 epochs, hidden size 4 unless swept): what is counted is the figures.
const TINY: &str = "[train]\nepochs = 4\neval_every = 2\n";

#[test]
fn a_report_stays_a_few_dozen_files_from_2_to_200_configurations() {
    let grids = [
        // 2 configurations: 4 curve figures, 1 effect, no heatmap, 2 single configurations.
        (
            "hidden_size = 4\n[grid]\ngradient = [\"article\", \"exact\"]\nseed = [0]\n",
            2,
            7,
        ),
        // 40: 4 + 3 effects + 3 heatmaps + the best 3 configurations.
        (
            "hidden_size = 4\n[grid]\nlearning_rate = { log = [0.005, 0.08], n = 5 }\n\
             clip = [0.3, 1.0, 3.0, inf]\ngradient = [\"article\", \"exact\"]\nseed = [0]\n",
            40,
            13,
        ),
        // 200: the same count.
        (
            "[grid]\nhidden_size = [2, 3, 4, 5]\nlearning_rate = { log = [0.005, 0.2], n = 10 }\n\
             clip = [0.3, 1.0, 3.0, 10.0, inf]\nseed = [0]\n",
            200,
            13,
        ),
    ];
    for (grid, configs, files) in grids {
        let dir = tempfile::tempdir().unwrap();
        let out = grid_sweep(dir.path(), &format!("{TINY}{grid}"));
        assert_eq!(csv_rows(&out.join("summary.csv")).len(), configs);
        let names = plot_names(&out);
        assert_eq!(names.len(), files, "{configs} configurations: {names:?}");
        let report = read(&out.join("report.md"));
        assert!(
            report.find("## Best configurations").unwrap() < report.find("## Overview").unwrap()
        );
        if configs > 12 {
            assert_contains(
                &report,
                &format!("The other {} configuration(s) are not drawn", configs - 3),
            );
            assert_contains(&report, "... and ");
        }
    }
}

#[test]
fn a_third_swept_setting_splits_the_heatmaps_instead_of_pooling() {
    let dir = tempfile::tempdir().unwrap();
    let out = small_sweep(dir.path(), GRID);
    let report = read(&out.join("report.md"));
    for caption in [
        "learning_rate x clip, one panel per gradient.",
        "learning_rate x gradient, one panel per clip.",
        "clip x gradient, one panel per learning_rate.",
    ] {
        assert_contains(&report, caption);
    }
    assert!(!report.contains("pooled over"), "{report}");
    assert_contains(
        &report,
        "panels by learning_rate, rows by clip, colour by gradient",
    );
}

#[test]
fn report_options_choose_panels_colours_ranking_and_single_configurations() {
    let dir = tempfile::tempdir().unwrap();
    let out = grid_sweep(
        dir.path(),
        &format!(
            "{TINY}hidden_size = 4\n[grid]\nlearning_rate = {{ log = [0.005, 0.08], n = 5 }}\n\
             clip = [0.3, 1.0, 3.0]\nseed = [0, 1]\n"
        ),
    );
    // A configuration the report does not draw by itself (not among the best three).
    let label = csv_rows(&out.join("summary.csv"))
        .into_iter()
        .map(|r| r["config"].clone())
        .find(|l| !plot_names(&out).contains(&figure_of(l)))
        .unwrap();
    let label = label.as_str();
    let o = sweep_on(
        "report",
        &out,
        &[
            "--facet",
            "clip",
            "--color",
            "learning_rate",
            "--rank-by",
            "final_test_acc",
            "--config",
            label,
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let report = read(&out.join("report.md"));
    assert_contains(&report, "panels by clip, colour by learning_rate");
    assert_contains(
        &report,
        "ranked by the median final test acc (higher first), ties broken by",
    );
    let figure = figure_of(label);
    assert!(plot_names(&out).contains(&figure), "{figure}");
    // Without the options the figure asked for goes again: plots/ holds the report's figures.
    let o = sweep_on("report", &out, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!plot_names(&out).contains(&figure));
    for (args, message) in [
        (
            &["--facet", "hidden_size"][..],
            "this sweep does not vary hidden_size",
        ),
        (
            &["--color", "clip", "--facet", "clip"][..],
            "clip is named twice",
        ),
        (&["--facet", "seeds"][..], "`seeds` is not a setting"),
        (
            &["--rank-by", "best_test_acc"][..],
            "is not a summarised metric",
        ),
        (&["--config", "h=4 nope"][..], "no configuration `h=4 nope`"),
    ] {
        let o = sweep_on("report", &out, args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert_contains(&stderr(&o), message);
    }
}

#[test]
fn report_rebuilds_identically_from_the_csvs_alone() {
    let dir = tempfile::tempdir().unwrap();
    let out = small_sweep(dir.path(), GRID);
    let first = read(&out.join("report.md"));
    assert!(
        first.starts_with("# Sweep report: small\n\na small test sweep\n"),
        "{first}"
    );
    assert!(
        first.contains("| h=8 lr=0.1 clip=5 exact | 3 | 0 |"),
        "{first}"
    );
    assert_contains(&first, "![loss-train.png](plots/loss-train.png)");
    // Remove the records and the figures: the report must come from the CSVs.
    std::fs::remove_dir_all(out.join("runs")).unwrap();
    std::fs::remove_dir_all(out.join("plots")).unwrap();
    std::fs::remove_file(out.join("report.md")).unwrap();
    let o = sweep_on("report", &out, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(read(&out.join("report.md")), first);
    assert!(out.join("plots/loss-train.png").exists());
}

#[test]
fn the_article_table_sits_beside_the_matching_configuration() {
    let dir = tempfile::tempdir().unwrap();
    let out = small_sweep(
        dir.path(),
        "[grid]\nseed = [0, 1]\ngradient = [\"article\", \"exact\"]\nhidden_size = [64]\nepochs = [1000]\n",
    );
    let report = read(&out.join("report.md"));
    assert_contains(
        &report,
        "median [25%, 75%] over the 2 seeds of `h=64 lr=0.02 clip=1 article`",
    );
    assert_contains(&report, "| 700 | 0.008 | ");
    // The table command gives the same medians.
    let t = sweep_on(
        "table",
        &out,
        &["--config", "h=64 lr=0.02 clip=1 article", "--format", "csv"],
    );
    assert!(t.status.success(), "{}", stderr(&t));
    let csv = stdout(&t);
    assert_eq!(csv.lines().count(), 11);
    assert!(
        csv.starts_with("epoch,seeds,train loss,train acc,test loss,test acc\n100,2,"),
        "{csv}"
    );
}

#[test]
fn a_configuration_whose_every_run_diverged_still_reports() {
    let dir = tempfile::tempdir().unwrap();
    // init_scale 1e307 overflows the first product: every such run diverges in epoch 1.
    let out = small_sweep(
        dir.path(),
        "[train]\nepochs = 30\neval_every = 10\nhidden_size = 8\n[grid]\ninit_scale = [0.001, 1e307]\nseed = [0, 1]\n",
    );
    let runs = read(&out.join("runs.csv"));
    assert_eq!(runs.matches(",diverged,1,").count(), 2, "{runs}");
    assert!(!runs.contains("NaN") && !runs.contains("nan"));
    assert_contains(
        &read(&out.join("report.md")),
        "init=1e307 (all diverged) | 2 | 2 |",
    );
    assert!(
        out.join("plots/curves-h8_lr0.02_clip1_article_init1e307.png")
            .exists()
    );
}

#[test]
fn run_table_prints_the_articles_format() {
    let dir = tempfile::tempdir().unwrap();
    let out = small_sweep(dir.path(), GRID);
    let t = sweep_on("table", &out, &["--run", &run_ids(&out)[0]]);
    let text = stdout(&t);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 9, "{text}");
    assert_eq!(lines[0], "--- Epoch 20");
    assert!(
        lines[1].starts_with("Train:\tLoss ") && lines[2].starts_with("Test:\tLoss "),
        "{text}"
    );
    let bad = sweep_on("table", &out, &["--config", "nope"]);
    assert_eq!(bad.status.code(), Some(2));
    assert_contains(&stderr(&bad), "there are: `h=8 lr=0.02 clip=1 article`");
}

#[test]
fn predict_gives_the_training_codes_own_probabilities() {
    use sweep::model::Workspace;
    use sweep::settings::SettingsParams;

    let dir = tempfile::tempdir().unwrap();
    let out = small_sweep(
        dir.path(),
        "[train]\nepochs = 50\neval_every = 10\nhidden_size = 8\nlearning_rate = 0.1\n[grid]\nseed = [4]\n",
    );
    let phrase = "i am not very happy";
    let o = sweep_on("predict", &out, &["--run", &run_ids(&out)[0], phrase]);
    assert!(o.status.success(), "{}", stderr(&o));
    let printed = stdout(&o);

    // Train the same run in-process and run the phrase forward.
    let data = sweep::data::load(&data("train.tsv"), &data("test.tsv")).unwrap();
    let settings = SettingsParams {
        epochs: 50,
        eval_every: 10,
        hidden_size: 8,
        learning_rate: 0.1,
        ..Default::default()
    }
    .check()
    .unwrap();
    let result = sweep::train::run(&data, &settings, 4, |_| {});
    let mut ws = Workspace::default();
    result.model.forward(&data.encode(phrase), 0, &mut ws);
    let want = format!(
        "{phrase}\t0: {:.6}\t1: {:.6}\n",
        ws.probs()[0],
        ws.probs()[1]
    );
    assert_eq!(printed, want);
}

/// Runs a 4-run sweep over a private copy of the bundled data (so the test can edit it) into
/// `<dir>/out`; returns the results directory and the copied training file.
fn sweep_over_copied_data(dir: &Path) -> (PathBuf, PathBuf) {
    let (train, test) = (dir.join("train.tsv"), dir.join("test.tsv"));
    std::fs::copy(data("train.tsv"), &train).unwrap();
    std::fs::copy(data("test.tsv"), &test).unwrap();
    let exp = dir.join("exp.toml");
    std::fs::write(
        &exp,
        "[data]\ntrain = \"train.tsv\"\ntest = \"test.tsv\"\n\
         [train]\nepochs = 20\neval_every = 10\nhidden_size = 8\n\
         [grid]\nlearning_rate = [0.02, 0.1]\nseed = [0, 1]\n",
    )
    .unwrap();
    let out = dir.join("out");
    run_ok(&exp, &out, &[]);
    (out, train)
}

#[test]
fn report_after_the_data_changed_rebuilds_from_the_recorded_runs() {
    let dir = tempfile::tempdir().unwrap();
    let (out, train) = sweep_over_copied_data(dir.path());
    let files = ["runs.csv", "curves.csv", "summary.csv", "experiment.toml"];
    let before: Vec<String> = files.iter().map(|f| read(&out.join(f))).collect();
    assert_eq!(before[0].lines().count(), 1 + 4);
    // Another phrase in the training set: another fingerprint, so other run ids.
    let mut text = read(&train);
    text += "i am sad\t0\n";
    std::fs::write(&train, text).unwrap();
    let o = sweep_on("report", &out, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    for (f, want) in files.iter().zip(&before) {
        assert_eq!(&read(&out.join(f)), want, "{f}");
    }
    // Nor does `sweep clean --unused` take the recorded runs for unused ones.
    let o = sweep_on("clean", &out, &["--unused"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_contains(&stderr(&o), "removed 0 unused record(s)");
    assert_eq!(read(&out.join("runs.csv")), before[0]);
}

#[test]
fn report_refuses_to_replace_the_tables_when_no_record_matches() {
    let dir = tempfile::tempdir().unwrap();
    let (out, _) = sweep_over_copied_data(dir.path());
    let before: Vec<String> = TABLES.iter().map(|f| read(&out.join(f))).collect();
    // An experiment.toml recording other data: none of the 4 records is one of its runs.
    let resolved = out.join("experiment.toml");
    let text = read(&resolved);
    let line = text
        .lines()
        .find(|l| l.starts_with("# data fingerprint"))
        .unwrap();
    let (head, _) = line.rsplit_once(' ').unwrap();
    let other = text.replace(line, &format!("{head} {}", "0".repeat(64)));
    std::fs::write(&resolved, other).unwrap();
    let o = sweep_on("report", &out, &[]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let message = stderr(&o);
    assert!(
        message.contains("experiment.toml: none of its 4 run(s)")
            && message.contains("has a record among the 4 in")
            && message.contains("the tables were left as they are"),
        "{message}"
    );
    for (f, want) in TABLES.iter().zip(&before) {
        assert_eq!(&read(&out.join(f)), want, "{f}");
    }
}

#[test]
fn report_reads_the_recorded_experiment_and_never_rewrites_it() {
    use std::os::unix::fs::MetadataExt;

    let dir = tempfile::tempdir().unwrap();
    let (out, _) = sweep_over_copied_data(dir.path());
    let resolved = out.join("experiment.toml");
    // Every write is a new file renamed into place: a new inode.
    let inode = |p: &Path| std::fs::metadata(p).unwrap().ino();
    let before = inode(&resolved);
    let o = sweep_on("report", &out, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(inode(&resolved), before);
    assert!(!stderr(&o).contains("experiment.toml"), "{}", stderr(&o));
}

#[test]
fn configurations_differing_beyond_the_printed_precision_stay_apart() {
    // An experiment can no longer hold two values that print alike (the grid refuses them),
    // but tables written before that rule, or edited by hand, can: the report must still
    // group by the settings, not by the label text.
    let dir = tempfile::tempdir().unwrap();
    let out = small_sweep(
        dir.path(),
        "[train]\nepochs = 20\neval_every = 10\nhidden_size = 8\n\
         [grid]\nlearning_rate = [0.02, 0.03]\nseed = [0, 1]\n",
    );
    let runs = read(&out.join("runs.csv"))
        .replace("h=8 lr=0.03 clip=1 article", "h=8 lr=0.02 clip=1 article")
        .replace(",0.03,", ",0.0200001,");
    assert_eq!(runs.matches(",0.0200001,").count(), 2, "{runs}");
    std::fs::write(out.join("runs.csv"), runs).unwrap();
    std::fs::remove_dir_all(out.join("runs")).unwrap();
    std::fs::remove_file(out.join("experiment.toml")).unwrap();
    let o = sweep_on("report", &out, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let report = read(&out.join("report.md"));
    for label in [
        "h=8 lr=0.02 clip=1 article (learning_rate=0.02)",
        "h=8 lr=0.02 clip=1 article (learning_rate=0.0200001)",
    ] {
        assert!(report.contains(&format!("| {label} | 2 | 0 |")), "{report}");
    }
    assert!(
        out.join("plots/curves-h8_lr0.02_clip1_article_learning_rate0.0200001.png")
            .exists()
    );
}

#[test]
fn summary_csv_and_the_report_leave_diverged_runs_out_of_the_final_statistics_alike() {
    let dir = tempfile::tempdir().unwrap();
    // Learning rates this large without clipping make some runs overflow after a few
    // epochs (their last finite metrics are in runs.csv) and others not at all.
    let out = small_sweep(
        dir.path(),
        "[train]\nepochs = 100\neval_every = 5\nhidden_size = 8\nclip = inf\n\
         [grid]\nlearning_rate = [5e305, 6e305]\nseed = { start = 0, count = 8 }\n",
    );
    let runs = csv_rows(&out.join("runs.csv"));
    let late = |r: &std::collections::HashMap<String, String>| {
        r["status"] == "diverged" && !r["final_train_loss"].is_empty()
    };
    assert!(
        runs.iter().any(late) && runs.iter().any(|r| r["status"] == "ok"),
        "the test needs runs that diverged after epoch 1 beside runs that finished"
    );
    let report = read(&out.join("report.md"));
    let configs = csv_rows(&out.join("summary.csv"));
    // One row per learning rate: an empty summary.csv would skip every check below.
    assert_eq!(configs.len(), 2, "summary.csv rows");
    for config in configs {
        let label = &config["config"];
        let mut finished: Vec<f64> = runs
            .iter()
            .filter(|r| &r["config"] == label && r["status"] == "ok")
            .map(|r| r["final_train_loss"].parse().unwrap())
            .collect();
        finished.sort_by(f64::total_cmp);
        let median = match finished.len() {
            0 => None,
            n if n % 2 == 1 => Some(finished[n / 2]),
            n => Some((finished[n / 2 - 1] + finished[n / 2]) / 2.0),
        };
        let in_csv = Some(&config["final_train_loss_median"])
            .filter(|s| !s.is_empty())
            .map(|s| s.parse::<f64>().unwrap());
        assert_eq!(in_csv, median, "{label}: summary.csv");
        let cell = median.map_or("-".to_owned(), |m| format!("{m:.3} ["));
        let row = report
            .lines()
            .find(|l| l.starts_with(&format!("| {label}")))
            .unwrap();
        assert!(
            row.starts_with(&format!("| {label}"))
                && row.contains(&format!(
                    " | {} | {} | {cell}",
                    config["seeds"], config["diverged"]
                )),
            "{label}: {row}"
        );
    }
}

#[test]
fn a_sweep_whose_every_run_diverged_in_epoch_1_still_gets_its_figures() {
    // No finite loss at all: the loss figure's log axis once had no range and drawing it
    // never ended, so the commands run under a time limit.
    let limit = std::time::Duration::from_secs(120);
    let dir = tempfile::tempdir().unwrap();
    let exp = experiment_with(
        dir.path(),
        "exp",
        "",
        "[train]\nepochs = 20\neval_every = 10\nhidden_size = 8\ninit_scale = 1e307\n\
         [grid]\nseed = [0, 1]\n",
    );
    let out = dir.path().join("out");
    let o = sweep()
        .arg("run")
        .arg(&exp)
        .arg("--out")
        .arg(&out)
        .timeout(limit)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        read(&out.join("runs.csv")).matches(",diverged,1,").count(),
        2
    );
    let plots = [
        "loss-train.png",
        "accuracy-test.png",
        "curves-h8_lr0.02_clip1_article.png",
    ];
    for p in plots {
        std::fs::remove_file(out.join("plots").join(p)).unwrap();
    }
    let o = sweep()
        .arg("report")
        .arg(&out)
        .timeout(limit)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    for p in plots {
        let (w, h, _) = png_stats(&out.join("plots").join(p));
        assert!(w > 0 && h > 0, "{p}");
    }
    assert_contains(
        &read(&out.join("report.md")),
        "(all diverged) | 2 | 2 | - | - | 0/2 = 0% [0%, 66%] | never |",
    );
}

#[test]
fn report_help_says_the_tables_come_from_the_records() {
    let o = sweep().args(["report", "--help"]).output().unwrap();
    let help = stdout(&o);
    assert!(o.status.success());
    assert!(
        help.starts_with("Rebuild a results directory's tables from its run records")
            && help.contains("experiment.toml")
            && !help.contains("CSVs only"),
        "{help}"
    );
}

#[test]
fn the_results_reference_names_every_column_of_the_tables() {
    let doc = read(&Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/results.md"));
    let start = doc.find("\n## The tables\n").unwrap();
    let end = doc[start + 1..]
        .find("\n## ")
        .map_or(doc.len(), |i| start + 1 + i);
    let section = &doc[start..end];
    let named = |s: &str| section.contains(&format!("`{s}`"));
    let dir = tempfile::tempdir().unwrap();
    let out = small_sweep(
        dir.path(),
        "[train]\nepochs = 5\neval_every = 5\nhidden_size = 4\n[grid]\nseed = [0]\n",
    );
    let settings = sweep::settings::Key::ALL.map(|k| k.name());
    for table in ["runs.csv", "curves.csv", "summary.csv", "timings.csv"] {
        assert!(named(table), "{table}");
        let text = read(&out.join(table));
        for column in text.lines().next().unwrap().split(',') {
            // Settings are named in the experiment file; statistics as `<metric>` `_<stat>`
            // (the stat may have underscores of its own: `_median_low`).
            let stat = column
                .match_indices('_')
                .any(|(i, _)| named(&column[..i]) && named(&column[i..]));
            assert!(
                named(column) || stat || settings.contains(&column),
                "docs/results.md's section The tables does not name {table}'s column `{column}`"
            );
        }
    }
}

#[test]
fn an_experiments_report_table_draws_its_report_and_flags_override_it() {
    let dir = tempfile::tempdir().unwrap();
    let grid = "[train]\nepochs = 4\neval_every = 2\nhidden_size = 4\n\
                [grid]\nlearning_rate = [0.02, 0.1]\nclip = [1.0, 5.0]\n\
                gradient = [\"article\", \"exact\"]\nseed = [0]\n";
    let table = "[report]\nfacet = [\"gradient\", \"learning_rate\"]\ncolor = \"clip\"\n\
                 rank_by = \"first_epoch_train_acc_1\"\n";
    let out = grid_sweep(dir.path(), &format!("{grid}{table}"));
    let chosen = "panels by gradient, rows by learning_rate, colour by clip";
    let ranked = "ranked by the median first epoch at 100% train acc (earlier first)";
    let report = read(&out.join("report.md"));
    assert_contains(&report, chosen);
    assert_contains(&report, ranked);
    // `sweep report` reads the table from the recorded experiment...
    let o = sweep_on("report", &out, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(read(&out.join("report.md")), report);
    // ...and a flag replaces its key, leaving the others.
    let o = sweep_on("report", &out, &["--color", "learning_rate"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let report = read(&out.join("report.md"));
    assert_contains(
        &report,
        "panels by gradient, rows by clip, colour by learning_rate",
    );
    assert_contains(&report, ranked);
    // A metric the report does not know is refused before any training, with its line.
    let bad = table.replace("first_epoch_train_acc_1", "best_test_acc");
    let exp = experiment(dir.path(), "bad", &format!("{grid}{bad}"));
    let o = sweep_on("plan", &exp, &[]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_contains(
        &stderr(&o),
        ":16: key `report.rank_by`: `best_test_acc` is not a summarised metric",
    );
}

/// A reproducible number in [0, 1) from two integers (splitmix64's finaliser).
fn unit(a: u64, b: u64) -> f64 {
    let mut z = a.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ b.wrapping_add(0x632B_E59B_D9B4_E019);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

/// Writes `runs.csv` and `curves.csv` of a synthetic sweep into `dir`, as `sweep run` writes
/// them: learning rate 0.01 and 0.1, `seeds` seeds each. Final test accuracy on a 20-sentence
/// test set (steps of 0.05: at 0.01 mostly 1 and 0.95, at 0.1 spread down to 0.7), the first
/// epoch at 100% train accuracy between 150 and 850 (earlier at 0.01) or never (one run in 10).
fn synthetic_sweep(dir: &Path, seeds: u64) {
    use sweep::metric::{Metric, RunSummary};
    use sweep::settings::SettingsParams;
    use sweep::store::{CURVES, RUNS};
    use sweep::tables::rows::TableWriter;
    use sweep::tables::schema::{CurveRow, RunRow};
    use sweep::train::{EpochMetrics, Eval, Status};

    let mut runs = TableWriter::<RunRow>::create(&dir.join(RUNS)).unwrap();
    let mut curves = TableWriter::<CurveRow>::create(&dir.join(CURVES)).unwrap();
    for (j, lr) in [0.01, 0.1].into_iter().enumerate() {
        let settings = SettingsParams {
            learning_rate: lr,
            epochs: 1000,
            eval_every: 500,
            ..SettingsParams::DEFAULT
        };
        for seed in 0..seeds {
            let run_id = format!("v{j}s{seed}");
            let (u, v) = (unit(2 * j as u64, seed), unit(2 * j as u64 + 1, seed));
            let steps = if j == 0 {
                (-u.max(1e-12).log2()).floor()
            } else {
                (7.0 * u * u).floor()
            };
            let acc = (1.0 - 0.05 * steps).max(0.5);
            let first = (v >= 0.1).then(|| (150.0 + 700.0 * v.powf(2.0 - j as f64)).round());
            let mut summary = RunSummary::empty(Status::Ok, 1000);
            let train_acc = if first.is_some() { 1.0 } else { 0.95 };
            for (metric, value) in [
                (Metric::FinalTrainLoss, 0.01),
                (Metric::FinalTrainAcc, train_acc),
                (Metric::FinalTestLoss, 0.3),
                (Metric::FinalTestAcc, acc),
                (Metric::BestTestAcc, acc),
            ] {
                summary.set(metric, Some(value));
            }
            summary.set(Metric::FirstEpochTrainAcc1, first);
            for epoch in [500, 1000] {
                let metrics = EpochMetrics {
                    epoch,
                    train: Eval {
                        loss: 0.01,
                        accuracy: train_acc,
                    },
                    test: Some(Eval {
                        loss: 0.3,
                        accuracy: acc,
                    }),
                };
                let run_id = run_id.clone();
                curves.write(&CurveRow { run_id, metrics }).unwrap();
            }
            runs.write(&RunRow {
                run_id,
                config: format!("h=64 lr={lr} clip=1 article"),
                settings: settings.clone(),
                seed,
                summary,
            })
            .unwrap();
        }
    }
    runs.commit().unwrap();
    curves.commit().unwrap();
}

/// The share of a PNG's pixels at least as dark as a point of the effect figures (one
/// point of the first two colours at 55% over white is (132, 180, 214) or (255, 185, 122):
/// its darkest channel is below 150; a violin's fill, at 35%, is not).
fn share_as_dark_as_a_point(path: &Path) -> f64 {
    let decoder = png::Decoder::new(std::fs::File::open(path).unwrap());
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = info.color_type.samples();
    let pixels = buf[..info.buffer_size()].chunks(channels);
    let total = pixels.len();
    let dark = pixels
        .filter(|p| p.iter().take(3).min().is_some_and(|&c| c < 150))
        .count();
    dark as f64 / total as f64
}

#[test]
fn thousands_of_seeds_per_value_are_drawn_as_violins_not_solid_bars() {
    let dir = tempfile::tempdir().unwrap();
    synthetic_sweep(dir.path(), 5000);
    let options = sweep::report::Options::default();
    let results = sweep::store::ResultsDir::at(dir.path());
    sweep::report::write_report(&results, &options).unwrap();
    let figure = dir.path().join("plots/final-vs-learning_rate.png");
    let (w, h, var) = png_stats(&figure);
    assert!(
        (500..=4000).contains(&w) && (300..=2400).contains(&h),
        "{w} x {h}"
    );
    assert!(var > 100.0, "the figure looks blank (grey variance {var})");
    assert!(
        png_edges_white(&figure),
        "the figure is drawn up to its edge"
    );
    // The drawing's own account of what it drew, in the report under the figure.
    let report = read(&dir.path().join("report.md"));
    assert_contains(
        &report,
        "![final-vs-learning_rate.png](plots/final-vs-learning_rate.png)",
    );
    assert_contains(
        &report,
        "Every value of learning_rate has more than 300 runs, too many to draw as points: \
         each is a violin",
    );
    // 10,000 points made two solid bars per panel: 13% of the image as dark as a point
    // (48 seeds' points: 1.7%, the text alone about 1.2%). The violins' fill is lighter.
    let dark = share_as_dark_as_a_point(&figure);
    assert!(
        dark < 0.04,
        "{:.1}% of the figure as dark as a point",
        dark * 100.0
    );
}

#[test]
fn up_to_300_seeds_per_value_stay_points_and_uncaptioned() {
    let dir = tempfile::tempdir().unwrap();
    synthetic_sweep(dir.path(), 300);
    let options = sweep::report::Options::default();
    let results = sweep::store::ResultsDir::at(dir.path());
    sweep::report::write_report(&results, &options).unwrap();
    let report = read(&dir.path().join("report.md"));
    assert!(!report.contains("violin"), "{report}");
    let figure = dir.path().join("plots/final-vs-learning_rate.png");
    assert!(
        png_edges_white(&figure),
        "the figure is drawn up to its edge"
    );
    // 600 points: already darker than the 5000-seed violins.
    assert!(share_as_dark_as_a_point(&figure) > 0.03);
}
