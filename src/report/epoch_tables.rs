//! The epoch tables a user asks for: one run's, in the article's own format, or a
//! configuration's medians over seeds with the interquartile range.

use super::article::epoch_block;
use super::export::Table;
use crate::tables::read::{Band, Config, RunCurves, Sweep};
use crate::tables::schema::Curve;

/// The article's text for one run: a block per evaluated epoch.
pub(crate) fn run_text(run: &RunCurves) -> String {
    run.evals.iter().filter_map(epoch_block).collect()
}

/// One run's evaluated epochs as a table.
pub(crate) fn run_table(run: &RunCurves) -> Table {
    let mut t = Table::new(&["epoch", "train loss", "train acc", "test loss", "test acc"]);
    for m in &run.evals {
        let mut row = vec![m.epoch.to_string()];
        row.extend(Curve::ALL.map(|c| c.at(m).map_or("-".into(), |v| format!("{v:.3}"))));
        t.rows.push(row);
    }
    t
}

/// A configuration's median over seeds at each evaluated epoch, `median [q25, q75]`.
pub(crate) fn config_table(config: &Config) -> Table {
    let mut t = Table::new(&[
        "epoch",
        "seeds",
        "train loss",
        "train acc",
        "test loss",
        "test acc",
    ]);
    for test in config.bands(Curve::TestAcc) {
        let mut row = vec![test.epoch.to_string(), test.n.to_string()];
        row.extend(Curve::ALL.map(|c| config.band_at(c, test.epoch).map_or("-".into(), iqr)));
        t.rows.push(row);
    }
    t
}

/// `0.688 [0.612, 0.701]`
pub(crate) fn iqr(b: &Band) -> String {
    format!("{:.3} [{:.3}, {:.3}]", b.median, b.q25, b.q75)
}

/// Plain aligned text of a table, for the terminal.
pub(crate) fn text(table: &Table) -> String {
    let widths: Vec<usize> = (0..table.header.len())
        .map(|i| {
            std::iter::once(&table.header[i])
                .chain(table.rows.iter().map(|r| &r[i]))
                .map(|c| c.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: &[String]| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, &w)| format!("{c:>w$}"))
            .collect();
        format!("{}\n", padded.join("  ").trim_end())
    };
    let mut out = line(&table.header);
    for row in &table.rows {
        out += &line(row);
    }
    out
}

/// The configuration named `label`, or a message listing the labels there are.
pub(crate) fn find_config<'a>(sweep: &'a Sweep, label: &str) -> Result<&'a Config, String> {
    sweep.config(label).ok_or_else(|| {
        let labels: Vec<String> = sweep
            .configs
            .iter()
            .map(|c| format!("`{}`", c.label))
            .collect();
        format!(
            "no configuration `{label}`; there are: {}",
            labels.join(", ")
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::SettingsParams;
    use crate::tables::ConfigSummary;
    use crate::train::{EpochMetrics, Eval};

    fn band(epoch: u32, median: f64) -> Band {
        Band {
            epoch,
            n: 3,
            min: 0.0,
            q25: median - 0.1,
            median,
            q75: median + 0.1,
            max: 1.0,
        }
    }

    #[test]
    fn config_table_snapshot() {
        let label = "h=64 lr=0.02 clip=1 article";
        let config = Config {
            label: label.into(),
            runs: vec![0, 1, 2],
            summary: ConfigSummary::new(label.into(), SettingsParams::default()),
            bands: vec![
                vec![band(1, 0.7), band(2, 0.5)],
                vec![band(1, 0.5), band(2, 0.6)],
                vec![band(2, 0.65)],
                vec![band(2, 0.55)],
            ],
        };
        let t = config_table(&config);
        assert_eq!(
            text(&t),
            "epoch  seeds            train loss             train acc             test loss              test acc\n    \
             2      3  0.500 [0.400, 0.600]  0.600 [0.500, 0.700]  0.650 [0.550, 0.750]  0.550 [0.450, 0.650]\n"
        );
    }

    #[test]
    fn a_runs_table_holds_its_evaluated_epochs() {
        // The block format itself is tested in `article`; here, one block per evaluation.
        let eval = |loss, accuracy| Eval { loss, accuracy };
        let epoch = |epoch, test| EpochMetrics {
            epoch,
            train: eval(0.6876, 30.0 / 58.0),
            test,
        };
        let run = RunCurves {
            train_loss: vec![],
            evals: vec![
                epoch(100, Some(eval(0.7, 0.5))),
                epoch(200, Some(eval(0.6, 0.55))),
            ],
        };
        assert_eq!(run_text(&run).matches("--- Epoch ").count(), 2);
        assert_eq!(
            text(&run_table(&run)),
            "epoch  train loss  train acc  test loss  test acc\n  100       0.688      0.517      \
             0.700     0.500\n  200       0.688      0.517      0.600     0.550\n"
        );
    }
}
