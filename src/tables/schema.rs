//! The rows of every table a sweep writes and reads: `runs.csv` ([`RunRow`]), `curves.csv`
//! ([`CurveRow`], its per-epoch quantities being [`Curve`]) and `timings.csv`
//! ([`TimingRow`]), a race's `race.csv` ([`RaceRow`]); `summary.csv`'s row is
//! [`super::summary::ConfigSummary`]. Each row type
//! writes and reads its own cells ([`super::rows`]), so a column is named in one place.
//!
//! Numbers are written exact and short ([`fmt_f64`]); an empty cell is "none".

use super::rows::{Cells, ReadRow, Row};
use crate::error::Result;
use crate::metric::{Metric, RunSummary};
use crate::number::fmt_f64;
use crate::search::race::Place;
use crate::settings::{Key, SettingsParams, Value};
pub use crate::train::Curve;
use crate::train::{EpochMetrics, Eval, Status};

/// An optional number as a cell: exact, or empty.
pub fn cell(x: Option<f64>) -> String {
    x.map_or(String::new(), fmt_f64)
}

/// One row of `runs.csv`: a run's id, configuration label, settings, status and metrics.
#[derive(Debug, Clone, PartialEq)]
pub struct RunRow {
    pub run_id: String,
    /// The configuration label, e.g. `h=64 lr=0.02 clip=1 exact`.
    pub config: String,
    /// Every setting but the seed.
    pub settings: SettingsParams,
    pub seed: u64,
    pub summary: RunSummary,
}

impl RunRow {
    /// The value of `metric` that statistics over seeds count ([`RunSummary::value`]).
    pub fn value(&self, metric: Metric) -> Option<f64> {
        self.summary.value(metric)
    }
}

const STATUS: &str = "status";
const DIVERGED_EPOCH: &str = "diverged_epoch";
const EPOCHS_RUN: &str = "epochs_run";

impl Row for RunRow {
    fn header() -> Vec<String> {
        let mut h: Vec<String> = vec!["run_id".into(), "config".into()];
        h.extend(Key::ALL.map(|k| k.name().to_owned()));
        h.extend([STATUS, DIVERGED_EPOCH].map(String::from));
        h.extend(Metric::stored().map(|m| m.name().to_owned()));
        h.push(EPOCHS_RUN.into());
        h
    }

    fn cells(&self) -> Vec<String> {
        let mut c = vec![self.run_id.clone(), self.config.clone()];
        c.extend(Key::ALL.map(|k| k.value_of(&self.settings, self.seed).to_string()));
        let status = self.summary.status;
        c.push(status.name().to_owned());
        // Only a diverged run has a diverged epoch (a pruned one's is its `epochs_run`).
        c.push(match status {
            Status::Diverged { epoch } => epoch.to_string(),
            _ => String::new(),
        });
        c.extend(Metric::stored().map(|m| cell(self.summary.stored(m))));
        c.push(self.summary.epochs_run.to_string());
        c
    }
}

impl ReadRow for RunRow {
    fn read(cells: &Cells<'_>) -> Result<RunRow> {
        let mut settings = SettingsParams::default();
        let mut seed = 0;
        for key in Key::ALL {
            let text = cells.text(key.name())?;
            let value = key.parse(text).ok_or_else(|| {
                let allowed = key.setting().allowed.describe(&settings);
                cells.error(key.name(), format!("`{text}` is not allowed: {allowed}"))
            })?;
            key.apply(value, &mut settings);
            if let (Key::Seed, Value::Integer(s)) = (key, value) {
                seed = s;
            }
        }
        let mut summary = RunSummary::empty(status(cells, epochs_run(cells)?)?, epochs_run(cells)?);
        for metric in Metric::stored() {
            summary.set(metric, metric_value(cells, metric)?);
        }
        Ok(RunRow {
            run_id: cells.text("run_id")?.to_owned(),
            config: cells.text("config")?.to_owned(),
            settings,
            seed,
            summary,
        })
    }
}

/// A metric's cell: empty, or a number in the metric's range.
fn metric_value(cells: &Cells<'_>, metric: Metric) -> Result<Option<f64>> {
    let value = cells.number(metric.name())?;
    if let Some(x) = value.filter(|&x| !metric.admits(x)) {
        let allowed = metric.allowed();
        return Err(cells.error(metric.name(), format!("`{x}` is not allowed: {allowed}")));
    }
    Ok(value)
}

/// The `status` column read, with the epoch a diverged run stopped in (a pruned one stopped
/// after `pruned_at`).
fn status(cells: &Cells<'_>, pruned_at: u32) -> Result<Status> {
    match cells.text(STATUS)? {
        "ok" => Ok(Status::Ok),
        "pruned" => Ok(Status::Pruned { epoch: pruned_at }),
        "diverged" => {
            let epoch = cells.integer(DIVERGED_EPOCH)?;
            Ok(Status::Diverged {
                epoch: cells.required(DIVERGED_EPOCH, epoch)?,
            })
        }
        other => Err(cells.error(
            STATUS,
            format!("`{other}` is not a run status; allowed: ok, diverged, pruned"),
        )),
    }
}

fn epochs_run(cells: &Cells<'_>) -> Result<u32> {
    let n = cells.integer(EPOCHS_RUN)?;
    cells.required(EPOCHS_RUN, n)
}

/// A row of a runs table from elsewhere (`sweep compare FILE.csv`): `run_id` and `seed`
/// required; `config`, `status` (`ok` if absent), `diverged_epoch`, `epochs_run`, settings
/// and metrics where present, each read by [`RunRow`]'s rules.
pub struct ForeignRunRow {
    pub row: RunRow,
    /// Its `epochs` and `eval_every` columns, where the table has them.
    pub schedule: Option<(u64, u64)>,
    /// Its line in the file.
    pub line: usize,
}

impl Row for ForeignRunRow {
    fn header() -> Vec<String> {
        RunRow::header()
    }
    fn cells(&self) -> Vec<String> {
        self.row.cells()
    }
}

impl ReadRow for ForeignRunRow {
    fn required() -> Vec<String> {
        vec!["run_id".into(), "seed".into()]
    }

    fn read(cells: &Cells<'_>) -> Result<ForeignRunRow> {
        let run_id = cells.text("run_id")?.to_owned();
        let seed = cells.integer("seed")?;
        let seed = cells.required("seed", seed)?;
        let status = match cells.get(STATUS) {
            None | Some("") => Status::Ok,
            Some(_) => status(cells, 0)?,
        };
        let epochs_run = match cells.get(EPOCHS_RUN) {
            Some(_) => cells.integer(EPOCHS_RUN)?.unwrap_or(0),
            None => 0,
        };
        let mut summary = RunSummary::empty(status, epochs_run);
        for metric in Metric::stored().filter(|m| cells.get(m.name()).is_some()) {
            summary.set(metric, metric_value(cells, metric)?);
        }
        let schedule = match (cells.get("epochs"), cells.get("eval_every")) {
            (Some(_), Some(_)) => cells.integer("epochs")?.zip(cells.integer("eval_every")?),
            _ => None,
        };
        Ok(ForeignRunRow {
            schedule,
            line: cells.line(),
            row: RunRow {
                run_id,
                config: cells.get("config").unwrap_or("").to_owned(),
                settings: Default::default(),
                seed,
                summary,
            },
        })
    }
}

/// One row of `curves.csv`: one epoch of one run.
#[derive(Debug, Clone, PartialEq)]
pub struct CurveRow {
    pub run_id: String,
    pub metrics: EpochMetrics,
}

impl Row for CurveRow {
    fn header() -> Vec<String> {
        let mut h: Vec<String> = vec!["run_id".into(), "epoch".into()];
        h.extend(Curve::ALL.map(|c| c.name().to_owned()));
        h
    }

    fn cells(&self) -> Vec<String> {
        let mut c = vec![self.run_id.clone(), self.metrics.epoch.to_string()];
        c.extend(Curve::ALL.map(|q| cell(q.at(&self.metrics))));
        c
    }
}

impl ReadRow for CurveRow {
    fn read(cells: &Cells<'_>) -> Result<CurveRow> {
        let number = |c: Curve| cells.number(c.name());
        let epoch = cells.integer("epoch")?;
        let eval = |loss: Curve, acc: Curve| -> Result<Option<Eval>> {
            Ok(number(loss)?
                .zip(number(acc)?)
                .map(|(loss, accuracy)| Eval { loss, accuracy }))
        };
        let train = eval(Curve::TrainLoss, Curve::TrainAcc)?;
        Ok(CurveRow {
            run_id: cells.text("run_id")?.to_owned(),
            metrics: EpochMetrics {
                epoch: cells.required("epoch", epoch)?,
                train: cells.required(Curve::TrainLoss.name(), train)?,
                test: eval(Curve::TestLoss, Curve::TestAcc)?,
            },
        })
    }
}

/// One row of `timings.csv`: the wall time of a run's training, kept apart from the tables
/// that must be byte-identical between reruns.
#[derive(Debug, Clone, PartialEq)]
pub struct TimingRow {
    pub run_id: String,
    pub wall_ms: f64,
}

impl Row for TimingRow {
    fn header() -> Vec<String> {
        vec!["run_id".into(), "wall_ms".into()]
    }

    fn cells(&self) -> Vec<String> {
        vec![self.run_id.clone(), format!("{:.3}", self.wall_ms)]
    }
}

/// The table of a race over seeds: one row per configuration.
pub const RACE: &str = "race.csv";

/// One row of `race.csv`: how a configuration fared in a race over seeds.
#[derive(Debug, Clone, PartialEq)]
pub struct RaceRow {
    pub config: String,
    /// winner, tied, eliminated, or in (a race not finished).
    pub place: Place,
    /// Seeds it ran in the selection.
    pub seeds: usize,
    /// The look (1-based) that eliminated it, or the last it took part in.
    pub look: usize,
    /// The ranking metric on its selection seeds (a share of seeds, or the median).
    pub estimate: Option<f64>,
    /// Holm-adjusted p-value of its last comparison with the leader, and the look's level.
    pub p_holm: Option<f64>,
    pub level: Option<f64>,
    /// For one left in: the difference from the winner its last look could detect 80% of
    /// the time.
    pub detectable: Option<f64>,
    /// Fresh seeds (no part in the selection) it ran, and the metric on them.
    pub fresh_seeds: usize,
    pub fresh_estimate: Option<f64>,
}

const RACE_COLUMNS: [&str; 10] = [
    "config",
    "place",
    "seeds",
    "look",
    "estimate",
    "p_holm",
    "level",
    "detectable",
    "fresh_seeds",
    "fresh_estimate",
];

impl Row for RaceRow {
    fn header() -> Vec<String> {
        RACE_COLUMNS.map(String::from).to_vec()
    }

    fn cells(&self) -> Vec<String> {
        vec![
            self.config.clone(),
            self.place.name().into(),
            self.seeds.to_string(),
            self.look.to_string(),
            cell(self.estimate),
            cell(self.p_holm),
            cell(self.level),
            cell(self.detectable),
            self.fresh_seeds.to_string(),
            cell(self.fresh_estimate),
        ]
    }
}

impl ReadRow for RaceRow {
    fn read(cells: &Cells<'_>) -> Result<RaceRow> {
        let text = cells.text("place")?;
        let place = Place::parse(text).ok_or_else(|| {
            cells.error(
                "place",
                format!("`{text}` is not allowed: {}", Place::NAMES.join(", ")),
            )
        })?;
        let count = |c: &str| -> Result<usize> {
            let n = cells.integer(c)?;
            cells.required(c, n)
        };
        Ok(RaceRow {
            config: cells.text("config")?.to_owned(),
            place,
            seeds: count("seeds")?,
            look: count("look")?,
            estimate: cells.number("estimate")?,
            p_holm: cells.number("p_holm")?,
            level: cells.number("level")?,
            detectable: cells.number("detectable")?,
            fresh_seeds: count("fresh_seeds")?,
            fresh_estimate: cells.number("fresh_estimate")?,
        })
    }
}

/// The variance shares of a grid's metrics: one row per metric and term.
pub const SHARES: &str = "shares.csv";

/// One row of `shares.csv`: the share of a metric's variance over the runs that one term
/// (a setting, a pair of settings, the higher-order rest, or the seed noise) explains.
#[derive(Debug, Clone, PartialEq)]
pub struct ShareRow {
    pub metric: Metric,
    /// A setting's name, `a x b` for a pair, `higher-order`, or `seed noise`.
    pub term: String,
    pub share: f64,
    /// The 95% bootstrap interval over seeds.
    pub low: f64,
    pub high: f64,
    /// The share a term with no effect gets on average (its degrees of freedom times the
    /// seed noise's mean square, over the total); empty for the seed noise itself.
    pub noise_level: Option<f64>,
    /// Whether the interval reaches down to `noise_level`: within the noise.
    pub within_noise: bool,
}

impl Row for ShareRow {
    fn header() -> Vec<String> {
        [
            "metric",
            "term",
            "share",
            "low",
            "high",
            "noise_level",
            "within_noise",
        ]
        .map(String::from)
        .to_vec()
    }

    fn cells(&self) -> Vec<String> {
        vec![
            self.metric.name().into(),
            self.term.clone(),
            fmt_f64(self.share),
            fmt_f64(self.low),
            fmt_f64(self.high),
            cell(self.noise_level),
            if self.within_noise { "yes" } else { "no" }.into(),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::rows::{TableWriter, read};

    fn row(status: Status) -> RunRow {
        let m = EpochMetrics {
            epoch: 1,
            train: Eval {
                loss: 0.1,
                accuracy: 1.0,
            },
            test: Some(Eval {
                loss: 0.2,
                accuracy: 0.95,
            }),
        };
        RunRow {
            run_id: "abc".into(),
            config: "h=64 lr=0.02 clip=inf article".into(),
            settings: SettingsParams {
                clip: f64::INFINITY,
                ..Default::default()
            },
            seed: 7,
            summary: RunSummary::of(&[m], status),
        }
    }

    #[test]
    fn a_run_row_reads_back_as_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("runs.csv");
        let rows = [row(Status::Ok), row(Status::Diverged { epoch: 2 })];
        let mut w = TableWriter::create(&path).unwrap();
        for r in &rows {
            w.write(r).unwrap();
        }
        w.commit().unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            text.lines().nth(1).unwrap(),
            "abc,h=64 lr=0.02 clip=inf article,64,0.02,inf,article,1000,100,0.001,7,ok,,0.1,1,\
             0.2,0.95,0.95,1,1"
        );
        assert_eq!(read::<RunRow>(&path).unwrap(), rows);
    }

    #[test]
    fn a_bad_status_or_setting_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("runs.csv");
        let mut w = TableWriter::create(&path).unwrap();
        w.write(&row(Status::Ok)).unwrap();
        w.commit().unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        for (from, to, want) in [
            (
                ",ok,",
                ",fine,",
                "column `status`: `fine` is not a run status",
            ),
            (
                ",article,",
                ",both,",
                "column `gradient`: `both` is not allowed",
            ),
            (",ok,,", ",diverged,,", "column `diverged_epoch`: is empty"),
        ] {
            std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
            let err = read::<RunRow>(&path).unwrap_err().to_string();
            assert!(err.contains(":2: ") && err.contains(want), "{err}");
        }
    }

    #[test]
    fn curve_rows_round_trip_with_and_without_test_metrics() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("curves.csv");
        let train = Eval {
            loss: 0.5,
            accuracy: 0.25,
        };
        let rows = [
            CurveRow {
                run_id: "a".into(),
                metrics: EpochMetrics {
                    epoch: 1,
                    train,
                    test: None,
                },
            },
            CurveRow {
                run_id: "a".into(),
                metrics: EpochMetrics {
                    epoch: 2,
                    train,
                    test: Some(train),
                },
            },
        ];
        let mut w = TableWriter::create(&path).unwrap();
        for r in &rows {
            w.write(r).unwrap();
        }
        w.commit().unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "run_id,epoch,train_loss,train_acc,test_loss,test_acc\na,1,0.5,0.25,,\n\
             a,2,0.5,0.25,0.5,0.25\n"
        );
        assert_eq!(read::<CurveRow>(&path).unwrap(), rows);
    }
}
