//! End-to-end tests of `report.html`: written beside `report.md` by `sweep run` and
//! `sweep report`, self-contained, the same sections in the same order, its data the
//! tables' configurations, rebuilt to the same bytes, and safe from the text it quotes.
//! What it does in a browser is tested by `tests/browser/` (`.ci/run`).

use std::path::{Path, PathBuf};

use crate::common::{csv_rows, experiment, experiment_with, read, run_ok, stderr, sweep_on};

const GRID: &str = "[train]\nepochs = 30\neval_every = 10\nhidden_size = 6\n\
                    [grid]\nlearning_rate = [0.02, 0.1]\nclip = [1.0, 5.0]\n\
                    gradient = [\"article\", \"exact\"]\nseed = [0, 1, 2]\n";

fn sweep_into(dir: &Path, head: &str, body: &str) -> PathBuf {
    let exp = experiment_with(dir, "exp", head, body);
    let out = dir.join("out");
    run_ok(&exp, &out, &["--quiet", "--no-weights"]);
    out
}

/// The JSON of the `<script type="application/json" id="ID">` element of `html`.
fn json_block(html: &str, id: &str) -> serde_json::Value {
    let open = format!("<script type=\"application/json\" id=\"{id}\">");
    let start = html.find(&open).unwrap() + open.len();
    let end = start + html[start..].find("</script>").unwrap();
    serde_json::from_str(&html[start..end]).unwrap()
}

/// The page before its scripts (the library's code has markup in its strings).
fn text(html: &str) -> &str {
    &html[..html.find("<script type=\"application/json\"").unwrap()]
}

/// The text of every `<h2>` of `html`, in order.
fn h2s(html: &str) -> Vec<String> {
    html.match_indices("<h2>")
        .map(|(i, _)| {
            let rest = &html[i + 4..];
            rest[..rest.find("</h2>").unwrap()].to_owned()
        })
        .collect()
}

#[test]
fn every_run_writes_a_self_contained_page_with_the_markdown_sections_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let out = sweep_into(dir.path(), "name = \"small\"\n", GRID);
    let html = read(&out.join("report.html"));
    let md = read(&out.join("report.md"));
    // The same sections, in the same order.
    let md_sections: Vec<String> = md
        .lines()
        .filter_map(|l| l.strip_prefix("## "))
        .map(|t| t.replace('&', "&amp;"))
        .collect();
    assert_eq!(h2s(&html), md_sections);
    assert!(md_sections.len() >= 7, "{md_sections:?}");
    // Every figure of report.md has its chart; no image is loaded.
    for line in md.lines().filter(|l| l.starts_with("![")) {
        let name = &line[2..line.find(']').unwrap()];
        assert!(html.contains(&format!("data-figure=\"{name}\"")), "{name}");
    }
    assert!(!text(&html).contains("<img"), "an image would be a request");
    // Nothing is fetched: no external script, style, font or frame.
    for needle in [
        "<script src",
        "src=\"http",
        "href=\"http",
        "@import",
        "<iframe",
    ] {
        assert!(!html.contains(needle), "{needle}");
    }
    assert!(html.contains("Apache ECharts 6.1.0"));
    assert_eq!(html.matches("<link").count(), 1, "only the empty icon");
    assert!(html.contains("<link rel=\"icon\" href=\"data:,\">"));
    // The data's configurations are the table's, one each.
    let data = json_block(&html, "sweep-data");
    let labels: Vec<String> = data["configs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["label"].as_str().unwrap().to_owned())
        .collect();
    let summary: Vec<String> = csv_rows(&out.join("summary.csv"))
        .into_iter()
        .map(|r| r["config"].clone())
        .collect();
    assert_eq!(labels, summary);
    let seeds = json_block(&html, "sweep-seeds");
    assert_eq!(seeds.as_array().unwrap().len(), 8);
    assert_eq!(seeds[0].as_array().unwrap().len(), 3, "3 seeds each");
    let ranks: Vec<u64> = data["configs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["rank"].as_u64().unwrap())
        .collect();
    let mut sorted = ranks.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, (1..=8).collect::<Vec<u64>>());
}

#[test]
fn report_rebuilds_the_same_page_and_writes_it_where_the_markdown_goes() {
    let dir = tempfile::tempdir().unwrap();
    let out = sweep_into(dir.path(), "", GRID);
    let first = read(&out.join("report.html"));
    std::fs::remove_file(out.join("report.html")).unwrap();
    let o = sweep_on("report", &out, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("report.html"), "{}", stderr(&o));
    assert_eq!(read(&out.join("report.html")), first);
}

#[test]
fn text_from_the_experiment_is_shown_never_run() {
    let dir = tempfile::tempdir().unwrap();
    let head = "description = \"</script><script>alert(1)</script> \
                <img src=x onerror=alert(2)> & <b>bold</b>\"\n";
    let out = sweep_into(dir.path(), head, GRID);
    let html = read(&out.join("report.html"));
    // The template's own four script elements, no more.
    assert_eq!(html.matches("<script").count(), 4);
    assert!(!text(&html).contains("<img") && !text(&html).contains("<b>bold"));
    assert!(html.contains("&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(html.contains("&lt;img src=x onerror=alert(2)&gt; &amp; &lt;b&gt;bold&lt;/b&gt;"));
}

#[test]
fn a_halving_search_carries_each_configurations_path() {
    let dir = tempfile::tempdir().unwrap();
    let body = "[train]\nepochs = 60\neval_every = 20\ngradient = \"exact\"\nhidden_size = 6\n\
                [grid]\nlearning_rate = { log = [0.01, 0.3] }\nseed = { start = 0, count = 2 }\n\
                [search]\nmethod = \"sobol\"\nsamples = 6\nseed = 5\n\
                [search.halving]\nmetric = \"train_loss\"\nrungs = [20]\nreduction_factor = 3\n";
    let exp = experiment(dir.path(), "halving", body);
    let out = dir.path().join("out");
    run_ok(&exp, &out, &["--quiet", "--no-weights"]);
    let html = read(&out.join("report.html"));
    assert!(html.contains("data-figure=\"halving.png\""));
    let data = json_block(&html, "sweep-data");
    let h = &data["halving"];
    assert_eq!(h["rungs"], serde_json::json!([20]));
    let stopped = h["stopped"].as_array().unwrap();
    let paths = h["paths"].as_array().unwrap();
    assert_eq!(paths.len(), 6);
    // Those stopped end at the rung; the others reach the last epoch.
    for (path, stopped) in paths.iter().zip(stopped) {
        let last = path.as_array().unwrap().last().unwrap()[0]
            .as_f64()
            .unwrap();
        let want = if stopped.as_bool().unwrap() {
            20.0
        } else {
            60.0
        };
        assert_eq!(last, want, "{path}");
    }
    assert_eq!(stopped.iter().filter(|s| s.as_bool().unwrap()).count(), 4);
}
