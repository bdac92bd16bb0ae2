//! The command line: raw arguments (clap) and the dispatch to one module per command.
//!
//! Arguments are parsed here and turned into checked settings in one place per command, so
//! nothing below the CLI ever sees an unchecked value.

mod clean;
mod compare;
mod merge;
mod predict;
mod report;
mod rerun;
mod run;
mod serve;
mod slurm;
mod trace;
mod train;

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::error::{Error, Result};
use crate::experiment::Override;
use crate::metric::Metric;
use crate::model::Gradient;
use crate::plan::{self, Prepared};
use crate::settings::{Key, SettingsParams};
use crate::simd::Isa;

/// Reproduce the classic from-scratch RNN sentiment tutorial over seeds and grids.
#[derive(Debug, Parser)]
#[command(name = "sweep", version, about, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Train every run of an experiment's grid in parallel and write the result tables.
    Run(RunArgs),
    /// Describe an experiment's runs, axes, output and estimated time; trains nothing.
    Plan(PlanArgs),
    /// Re-train one recorded run and check that every recorded number comes out the same.
    Rerun(RerunArgs),
    /// Class probabilities of phrases under a run's saved weights.
    Predict(PredictArgs),
    /// Rebuild a results directory's tables from its run records, then its figures and report.md
    ///
    /// The tables hold the runs that the directory's experiment.toml names, over the data
    /// fingerprint `sweep run` recorded there (data files edited since do not matter); if not
    /// one of those runs has a record, the command refuses and leaves the tables as they are.
    /// A directory without runs/ or experiment.toml keeps the tables it has. The figures and
    /// report.md are drawn from the tables. Never re-trains.
    // Verbatim: clap joins the lines into one, and this build does not wrap help text.
    #[command(verbatim_doc_comment)]
    Report(ReportArgs),
    /// Print the article's epoch table of one run, or a configuration's medians over seeds.
    Table(TableArgs),
    /// Write (and with --submit, submit) a Slurm job array running the experiment's shards.
    Slurm(SlurmArgs),
    /// Remove records of runs the results directory's experiment no longer contains.
    Clean(CleanArgs),
    /// Merge the records of results directories written by separate shards, then report.
    Merge(MergeArgs),
    /// Train one run and print the article's table every `--eval-every` epochs.
    Train(TrainArgs),
    /// Whether two sets of runs differ, metric by metric: effect with a 95% interval, test,
    /// Holm-adjusted p and a verdict. A side is a results directory, DIR:LABEL (one
    /// configuration of it), or a runs table from elsewhere (CSV with runs.csv's columns;
    /// `run_id` and `seed` required), FILE.csv:LABEL for one `config` of it.
    #[command(verbatim_doc_comment)]
    Compare(CompareArgs),
    /// Write what another implementation needs to replay a recorded run exactly: initial
    /// weights, every epoch's shuffle, the encoded data (benches/replay.py reads it).
    Trace(TraceArgs),
    /// Serve a results directory read-only over HTTP: its report.html, updated live while a
    /// sweep writes into the directory (progress, ETA, best so far), and its files.
    Serve(ServeArgs),
}

/// Flags of `sweep serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// A results directory (the sweep may still be running, or not yet started).
    #[arg(value_name = "RESULTS")]
    pub results: PathBuf,
    /// The TCP port to listen on (0: any free port; the URL printed says which).
    #[arg(long, default_value_t = crate::serve::DEFAULT_PORT)]
    pub port: u16,
    /// The address to listen on; another than 127.0.0.1 lets other machines read the
    /// directory.
    #[arg(long, value_name = "ADDR", default_value_t = crate::serve::DEFAULT_BIND)]
    pub bind: std::net::IpAddr,
}

/// Flags of `sweep compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// The first side (A).
    #[arg(value_name = "A")]
    pub a: String,
    /// The second side (B); effects are B - A.
    #[arg(value_name = "B")]
    pub b: String,
    /// How to print the comparison (csv, markdown and json: every number, as comparisons.csv).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Compare only this metric (repeatable) [default: every summarised metric].
    #[arg(long = "metric", value_name = "NAME")]
    pub metrics: Vec<String>,
    /// Also estimate the seeds per side needed to detect the difference (by simulation).
    #[arg(long)]
    pub seeds: bool,
    /// With --seeds: the difference B - A to detect [default: the observed one].
    #[arg(long, allow_negative_numbers = true, requires = "seeds")]
    pub effect: Option<f64>,
}

/// Flags of `sweep trace`.
#[derive(Debug, Args)]
pub struct TraceArgs {
    /// A results directory written by `sweep run`.
    #[arg(value_name = "RESULTS")]
    pub results: PathBuf,
    /// The run to trace (the `run_id` column of runs.csv).
    #[arg(long)]
    pub run: String,
    /// The directory to write trace.json and initial.safetensors into (created if missing;
    /// an existing file there is refused).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

/// Flags of `sweep slurm`.
#[derive(Debug, Args)]
pub struct SlurmArgs {
    #[command(flatten)]
    pub plan: PlanArgs,
    /// Array tasks (shards) [default: one per run, at most 1000 and below MaxArraySize].
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    pub tasks: Option<u32>,
    /// CPUs per array task; each task trains that many runs at once.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    pub cpus_per_task: u32,
    /// Time limit per array task, in Slurm's format: MM, MM:SS, HH:MM:SS, D-HH, D-HH:MM,
    /// D-HH:MM:SS, or UNLIMITED.
    #[arg(long, default_value = "01:00:00", value_parser = parse_slurm_time)]
    pub time: String,
    /// Slurm partition (or several, comma-separated): letters, digits, -, _ and . only.
    #[arg(long, value_parser = parse_slurm_name)]
    pub partition: Option<String>,
    /// At most this many array tasks running at once.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    pub throttle: Option<u32>,
    /// Submit the array and the report job with sbatch.
    #[arg(long)]
    pub submit: bool,
}

/// Flags of `sweep merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The merged results directory (created if needed).
    #[arg(value_name = "OUT")]
    pub out: PathBuf,
    /// Results directories written by shards of the same experiment.
    #[arg(value_name = "DIR", required = true)]
    pub dirs: Vec<PathBuf>,
}

/// Flags of `sweep report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// A results directory written by `sweep run`.
    #[arg(value_name = "RESULTS")]
    pub results: PathBuf,
    /// Split the curve figures into panels by this swept setting (columns; a second one:
    /// rows). Comma-separated or repeated [default: the experiment's [report] facet, else
    /// the rule in docs/figures.md]
    #[arg(long, value_name = "SETTING", value_delimiter = ',', value_parser = parse_setting)]
    pub facet: Vec<Key>,
    /// Colour series by this swept setting [default: the experiment's [report] color, else
    /// the one with the fewest values]
    #[arg(long, visible_alias = "colour", value_name = "SETTING", value_parser = parse_setting)]
    pub color: Option<Key>,
    /// Also draw every seed's curves of this configuration (its label, as in summary.csv);
    /// repeatable, and added to the experiment's [report] configs. Grids of more than 12
    /// configurations draw only the best few otherwise.
    #[arg(long = "config", value_name = "LABEL")]
    pub configs: Vec<String>,
    /// Rank the configurations by this metric (then by the default order's): test_acc_1
    /// (the default), final_test_acc, final_test_loss, final_train_acc, final_train_loss or
    /// first_epoch_train_acc_1.
    #[arg(long, value_name = "METRIC", value_parser = crate::metric::summarised_named)]
    pub rank_by: Option<Metric>,
    /// Also write curves.csv beside curves.parquet, however large (by default only up to
    /// a million run-epochs)
    #[arg(long)]
    pub curves_csv: bool,
}

impl ReportArgs {
    /// Whether the tables include curves.csv whatever their size.
    pub fn curves_csv(&self) -> crate::tables::CurvesCsv {
        if self.curves_csv {
            crate::tables::CurvesCsv::Always
        } else {
            crate::tables::CurvesCsv::Auto
        }
    }

    /// The report's options these flags give.
    pub fn options(&self) -> crate::report::Options {
        crate::report::Options {
            facet: self.facet.clone(),
            color: self.color,
            configs: self.configs.clone(),
            rank_by: self.rank_by,
            halving: None,
            race: None,
        }
    }
}

/// A setting a report can split or colour by, by its name in the experiment file.
fn parse_setting(s: &str) -> Result<Key, String> {
    Key::from_name(s)
        .filter(|&k| k != Key::Seed)
        .ok_or_else(|| {
            let names: Vec<&str> = Key::configuration().map(Key::name).collect();
            format!("`{s}` is not a setting; allowed: {}", names.join(", "))
        })
}

/// Flags of `sweep table`.
#[derive(Debug, Args)]
pub struct TableArgs {
    /// A results directory written by `sweep run`.
    #[arg(value_name = "RESULTS")]
    pub results: PathBuf,
    /// A configuration label, e.g. "h=64 lr=0.02 clip=1 exact" [default: the first].
    #[arg(long, conflicts_with = "run")]
    pub config: Option<String>,
    /// A run id: that run's table in the article's format.
    #[arg(long)]
    pub run: Option<String>,
    /// How to print the table.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// How a command prints a table: aligned text for people, or a format for other tools.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Csv,
    #[value(alias = "md")]
    Markdown,
    Json,
}

impl Format {
    /// The exporter of a machine-readable format; `None` for text.
    fn export(self) -> Option<Box<dyn crate::report::export::Export>> {
        crate::report::export::by_name(match self {
            Format::Text => return None,
            Format::Csv => "csv",
            Format::Markdown => "markdown",
            Format::Json => "json",
        })
    }
}

/// What `sweep plan` and `sweep run` share: the experiment and where its results go.
#[derive(Debug, Clone, Args)]
pub struct PlanArgs {
    /// The experiment file (TOML).
    #[arg(value_name = "EXPERIMENT")]
    pub experiment: PathBuf,
    /// Results directory [default: results/<name>].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Runs trained at once [default: all cores].
    #[arg(long, short = 'j', value_name = "N", value_parser = clap::value_parser!(u32).range(1..=4096))]
    pub jobs: Option<u32>,
    /// Accept a grid of more than 100000 runs.
    #[arg(long)]
    pub yes: bool,
    /// Override a key of the experiment file, e.g. `train.epochs=200`,
    /// `grid.seed='{ start = 0, count = 4 }'` or `data.train=PATH` (relative to the current
    /// directory); the value one TOML value on one line, checked as in the file. Repeatable.
    #[arg(long = "set", value_name = "KEY=VALUE", value_parser = Override::parse)]
    pub overrides: Vec<Override>,
}

/// Flags of `sweep run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub plan: PlanArgs,
    /// Print the plan and train nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// No progress bar.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Do not save each run's final weights (runs/<id>.safetensors).
    #[arg(long)]
    pub no_weights: bool,
    /// Train only shard K of N (runs dealt by id), or `auto` in a Slurm array task. Shards
    /// write records only; `sweep report` builds the tables once all are done.
    #[arg(long, value_name = "K/N|auto")]
    pub shard: Option<String>,
    /// If another sweep is writing the same results directory, wait for it instead of
    /// refusing.
    #[arg(long)]
    pub wait: bool,
    /// With --shard, on a halving search or a race: train only this stage (halving: 0 for the
    /// first rung, the number of rungs for the last epoch; a race: 0 for the first block of
    /// seeds, one per block after it, then the fresh seeds). `sweep slurm` passes it.
    #[arg(long, value_name = "K", requires = "shard")]
    pub stage: Option<usize>,
}

/// Flags of `sweep clean`.
#[derive(Debug, Args)]
pub struct CleanArgs {
    /// A results directory written by `sweep run`.
    #[arg(value_name = "RESULTS")]
    pub results: PathBuf,
    /// Remove the records of runs that the directory's experiment.toml no longer has.
    #[arg(long, required = true)]
    pub unused: bool,
}

/// Flags of `sweep predict`.
#[derive(Debug, Args)]
pub struct PredictArgs {
    /// A results directory written by `sweep run`.
    #[arg(value_name = "RESULTS")]
    pub results: PathBuf,
    /// The run whose saved weights to use (re-trained from its seed, and checked against its
    /// record, when its weights file is missing or not its own).
    #[arg(long)]
    pub run: String,
    /// Phrases to classify, each with a word in it (a run of letters or digits).
    #[arg(value_name = "TEXT", required = true)]
    pub texts: Vec<String>,
}

/// Flags of `sweep rerun`.
#[derive(Debug, Args)]
pub struct RerunArgs {
    /// A results directory written by `sweep run`.
    #[arg(value_name = "RESULTS")]
    pub results: PathBuf,
    /// The run's id (the `run_id` column of runs.csv).
    #[arg(value_name = "RUN_ID")]
    pub run_id: String,
}

/// Flags of `sweep train`.
#[derive(Debug, Args)]
pub struct TrainArgs {
    /// Training data: .tsv/.csv with `text` and `label` columns, or the tutorial's data.py.
    #[arg(long, value_name = "FILE")]
    pub train: PathBuf,
    /// Test data, in any of the same formats (data.py: its `test_data`).
    #[arg(long, value_name = "FILE")]
    pub test: PathBuf,
    #[command(flatten)]
    pub settings: SettingsArgs,
    /// Seed of the run's ChaCha RNG (initial weights and every epoch's shuffle).
    #[arg(long, allow_negative_numbers = true, default_value_t = 0)]
    pub seed: u64,
}

/// Training settings as flags; every default is the article's. Negative numbers are taken
/// as values (`--clip -1`), so that the message names the flag and the value rather than
/// an unexpected argument `-1`.
#[derive(Debug, Args)]
pub struct SettingsArgs {
    /// Hidden units.
    #[arg(long, allow_negative_numbers = true, default_value_t = SettingsParams::DEFAULT.hidden_size)]
    pub hidden_size: u64,
    /// SGD learning rate.
    #[arg(long, allow_negative_numbers = true, default_value_t = SettingsParams::DEFAULT.learning_rate)]
    pub learning_rate: f64,
    /// Elementwise gradient clip; `inf` turns clipping off.
    #[arg(long, allow_negative_numbers = true, default_value_t = SettingsParams::DEFAULT.clip)]
    pub clip: f64,
    #[arg(long, allow_negative_numbers = true, default_value_t = SettingsParams::DEFAULT.epochs)]
    pub epochs: u64,
    /// Measure test loss and accuracy every this many epochs (and after the last)
    /// [default: 100, or --epochs if fewer]
    #[arg(long, allow_negative_numbers = true)]
    pub eval_every: Option<u64>,
    /// BPTT variant: `article` (the published W_hh·temp) or `exact` (W_hhᵀ·temp).
    #[arg(long, default_value_t = SettingsParams::DEFAULT.gradient, value_parser = parse_gradient)]
    pub gradient: Gradient,
    /// Standard deviation of the initial weights.
    #[arg(long, allow_negative_numbers = true, default_value_t = SettingsParams::DEFAULT.init_scale)]
    pub init_scale: f64,
}

impl SettingsArgs {
    pub fn params(&self) -> SettingsParams {
        SettingsParams {
            hidden_size: self.hidden_size,
            learning_rate: self.learning_rate,
            clip: self.clip,
            epochs: self.epochs,
            // The article's 100, unless the run is shorter than that.
            eval_every: self
                .eval_every
                .unwrap_or(self.epochs.min(SettingsParams::DEFAULT.eval_every)),
            init_scale: self.init_scale,
            gradient: self.gradient,
        }
    }
}

/// A time limit as Slurm's `--time` takes it, or why not.
fn parse_slurm_time(s: &str) -> Result<String, String> {
    if s.eq_ignore_ascii_case("unlimited") || s.eq_ignore_ascii_case("infinite") {
        return Ok(s.to_owned());
    }
    let (days, clock) = match s.split_once('-') {
        Some((d, clock)) => (Some(d), clock),
        None => (None, s),
    };
    let fields: Option<Vec<u64>> = clock.split(':').map(|f| f.parse().ok()).collect();
    // One to three numbers, all but the first below 60; whole days before a `-`.
    let valid = days.is_none_or(|d| d.parse::<u64>().is_ok())
        && fields.is_some_and(|f| (1..=3).contains(&f.len()) && f[1..].iter().all(|&x| x < 60));
    if valid {
        Ok(s.to_owned())
    } else {
        Err(format!(
            "`{s}` is not a Slurm time limit; allowed: MM, MM:SS, HH:MM:SS, D-HH, D-HH:MM, \
             D-HH:MM:SS (e.g. 01:30:00 or 2-00), or UNLIMITED"
        ))
    }
}

/// A Slurm name (a partition, or a comma-separated list of them) as written into a
/// script's `#SBATCH` line, or why not: anything else could end the line and add another.
fn parse_slurm_name(s: &str) -> Result<String, String> {
    let name = |n: &str| {
        !n.is_empty()
            && n.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
    };
    if s.split(',').all(name) {
        Ok(s.to_owned())
    } else {
        Err(format!(
            "{} is not a Slurm name; allowed: letters, digits, -, _ and . (several names \
             separated by commas), e.g. gpu or short,long",
            crate::error::quoted(&s.escape_default().to_string())
        ))
    }
}

fn parse_gradient(s: &str) -> Result<Gradient, String> {
    Gradient::parse(s)
        .ok_or_else(|| format!("`{s}` is not a gradient variant; allowed: article, exact"))
}

/// Runs the command; `main` turns an error into its message and exit code.
pub fn execute(cli: Cli) -> Result<()> {
    choose_isa_from_env()?;
    match cli.command {
        Command::Run(args) => run::execute(&args),
        Command::Plan(args) => print(&plan::describe(&prepare(&args)?)),
        Command::Rerun(args) => rerun::execute(&args),
        Command::Predict(args) => predict::execute(&args),
        Command::Report(args) => report::execute(&args),
        Command::Table(args) => report::table(&args),
        Command::Slurm(args) => slurm::execute(&args),
        Command::Merge(args) => merge::execute(&args),
        Command::Clean(args) => clean::execute(&args),
        Command::Train(args) => train::execute(&args),
        Command::Trace(args) => trace::execute(&args),
        Command::Compare(args) => compare::execute(&args),
        Command::Serve(args) => serve::execute(&args),
    }
}

/// Honours `SWEEP_ISA` (`baseline`, `avx2` or `avx512`): the instruction set training runs
/// on, for comparing their speed; every one gives the same results.
fn choose_isa_from_env() -> Result<()> {
    let raw = std::env::var_os("SWEEP_ISA").unwrap_or_default();
    // Empty counts as unset, and case does not matter (`AVX2` is avx2).
    let value = raw.to_string_lossy().trim().to_ascii_lowercase();
    if value.is_empty() {
        return Ok(());
    }
    let why = match Isa::parse(&value) {
        None => "not an instruction set".to_string(),
        Some(isa) => match Isa::choose(isa) {
            Ok(()) => return Ok(()),
            Err(why) => why,
        },
    };
    let supported: Vec<&str> = Isa::available().into_iter().map(Isa::name).collect();
    Err(Error::Usage(format!(
        "environment variable SWEEP_ISA = {} is not allowed ({why}): one of {} (what this \
         CPU supports), or unset",
        crate::error::quoted(&raw.to_string_lossy()),
        supported.join(", ")
    )))
}

/// Prepares the sweep `args` ask for ([`Prepared::load`]) and shows its data's warnings.
fn prepare(args: &PlanArgs) -> Result<Prepared> {
    let prepared = Prepared::load(&plan::Options {
        experiment: args.experiment.clone(),
        overrides: args.overrides.clone(),
        out: args.out.clone(),
        jobs: args.jobs.map(|j| j as usize),
        allow_large: args.yes,
    })?;
    warn_all(&prepared.data.warnings);
    Ok(prepared)
}

/// Prints the data set's warnings once each, on stderr.
pub(crate) fn warn_all(warnings: &[String]) {
    for w in warnings {
        note!("sweep: warning: {w}");
    }
}

/// The line that ends the article's table of a run that diverged.
pub(crate) fn diverged_line(epoch: u32) -> String {
    format!("--- Diverged in epoch {epoch}: the loss is no longer finite\n")
}

/// Writes to stdout; a closed pipe (`sweep ... | head`) ends output quietly.
pub(crate) fn print(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(Error::io(std::path::Path::new("<stdout>"), e))
        }
        _ => Ok(()),
    }
}
