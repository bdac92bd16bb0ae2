//! `sweep compare A B`: whether two sets of runs differ, metric by metric (see
//! [`crate::compare`]); each side a results directory, `DIR:LABEL` or a runs table.

use super::{CompareArgs, Format, print};
use crate::compare::sample_size::{Needed, needed};
use crate::compare::sides::{align, load};
use crate::compare::{self, Comparison, Design, design, verdict};
use crate::error::{Error, Result};
use crate::metric::Metric;
use crate::report::epoch_tables::text;
use crate::report::export::Table;
use crate::tables::rows::Row;

pub(super) fn execute(args: &CompareArgs) -> Result<()> {
    let metrics = chosen_metrics(&args.metrics)?;
    check_seeds_flags(args, &metrics)?;
    let (mut a, mut b) = (load(&args.a)?, load(&args.b)?);
    let notes = align(&mut a, &mut b);
    let setting = compare::differing(&a, &b);
    let mut comparisons: Vec<Comparison> = metrics
        .iter()
        .filter_map(|&m| compare::compare(&a, &b, m, setting.clone()))
        .collect();
    if comparisons.is_empty() {
        return Err(Error::Usage(format!(
            "{} and {} have no metric in common to compare",
            a.name, b.name
        )));
    }
    compare::adjust(&mut comparisons);
    let how = match design(&a, &b) {
        Design::Paired { seeds } => format!("paired by seed ({} seeds in common)", seeds.len()),
        Design::Unpaired { why } => format!("as independent samples: {why}"),
    };
    if let Some(export) = args.format.export() {
        let bytes = export.serialize(&comparison_table(&comparisons));
        print(&String::from_utf8_lossy(&bytes))?;
        return Ok(());
    }
    let mut out = format!(
        "A: {} ({} runs)\nB: {} ({} runs)\ncompared {how}\neffects are B - A with 95% \
         intervals; p-values Holm-adjusted over the {} metric(s) compared\n",
        a.name,
        a.seeds.len(),
        b.name,
        b.seeds.len(),
        comparisons.len()
    );
    for n in &notes {
        out += &format!("note: {n}\n");
    }
    out += "\n";
    for c in &comparisons {
        out += &format!("{}: {}\n", c.metric.label(), verdict::sentence(c));
    }
    out += &format!("\n{}", text(&short_table(&comparisons)));
    if args.seeds {
        out += &format!("\n{}", seeds_text(&a, &b, &metrics, args.effect));
    }
    print(&out)?;
    Ok(())
}

/// `--seeds` prints a table for people, and `--effect` must be a difference the metrics
/// compared can have: checked before any side is read.
fn check_seeds_flags(args: &CompareArgs, metrics: &[Metric]) -> Result<()> {
    if args.seeds && args.format != Format::Text {
        return Err(Error::Usage(
            "--seeds prints its estimate for people, with --format text (the default); the \
             csv, markdown and json formats hold the comparisons only"
                .into(),
        ));
    }
    let Some(effect) = args.effect else {
        return Ok(());
    };
    if effect == 0.0 || !effect.is_finite() {
        return Err(Error::Usage(format!(
            "--effect {effect} is not allowed: a finite difference other than 0 (there is \
             nothing to detect otherwise)"
        )));
    }
    let bounded: Vec<&str> = metrics
        .iter()
        .filter(|m| m.is_unit_interval())
        .map(|m| m.name())
        .collect();
    if effect.abs() > 1.0 && !bounded.is_empty() {
        return Err(Error::Usage(format!(
            "--effect {effect} is not a difference that {} can have: shares and accuracies \
             lie from 0 to 1, so their differences from -1 to 1 (choose the metric with \
             --metric)",
            bounded.join(", ")
        )));
    }
    Ok(())
}

/// The metrics `--metric` names (every metric without it), or an error naming the unknown.
fn chosen_metrics(names: &[String]) -> Result<Vec<Metric>> {
    if names.is_empty() {
        return Ok(Metric::summarised().collect());
    }
    names
        .iter()
        .map(|n| {
            Metric::from_name(n).ok_or_else(|| {
                let all: Vec<&str> = Metric::ALL.iter().map(|m| m.name()).collect();
                Error::Usage(format!(
                    "--metric `{n}` is not a metric; allowed: {}",
                    all.join(", ")
                ))
            })
        })
        .collect()
}

/// Every column of `comparisons.csv`.
fn comparison_table(comparisons: &[Comparison]) -> Table {
    let header = Comparison::header();
    let mut t = Table::new(&header.iter().map(String::as_str).collect::<Vec<_>>());
    t.rows = comparisons.iter().map(Row::cells).collect();
    t
}

/// The figures at a glance, for the terminal.
fn short_table(comparisons: &[Comparison]) -> Table {
    let mut t = Table::new(&["metric", "A", "B", "B - A [95%]", "test", "p (Holm)"]);
    for c in comparisons {
        let figure = |i: Option<crate::stats::Interval>| {
            i.map_or("-".into(), |i| c.metric.format_interval(&i))
        };
        let effect = c
            .effect
            .map_or("-".into(), |e| verdict::signed(c.metric, &e));
        let test = c.test;
        t.rows.push(vec![
            c.metric.name().to_owned(),
            figure(c.figures.0),
            figure(c.figures.1),
            effect,
            test.map_or("-".into(), |t| t.name.to_owned()),
            test.map_or("-".into(), |t| verdict::p_value(t.adjusted)),
        ]);
    }
    t
}

/// "How many seeds?" for each metric, by simulation from the observed runs.
fn seeds_text(
    a: &compare::Side,
    b: &compare::Side,
    metrics: &[Metric],
    effect: Option<f64>,
) -> String {
    let mut t = Table::new(&[
        "metric",
        "difference to detect (B - A)",
        "design",
        "seeds per side",
    ]);
    for &m in metrics {
        let Some(Needed {
            effect,
            paired,
            seeds,
            ..
        }) = needed(a, b, m, effect)
        else {
            continue;
        };
        t.rows.push(vec![
            m.name().to_owned(),
            format!("{effect:+.4}"),
            if paired { "paired" } else { "unpaired" }.into(),
            seeds.map_or("more than 1024".into(), |n| n.to_string()),
        ]);
    }
    format!(
        "seeds per side to find the difference 80% of the time at the 5% level (simulated: \
         400 experiments per candidate size, runs resampled from the observed ones; the \
         difference {}):\n{}",
        if effect.is_some() {
            "given by --effect"
        } else {
            "as observed"
        },
        text(&t)
    )
}
