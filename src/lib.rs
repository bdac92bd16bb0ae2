//! `sweep`: the classic from-scratch RNN sentiment tutorial, reproduced exactly and run over
//! seeds and hyperparameter grids.
//!
//! The layers, bottom up, each using only those before it:
//! - [`error`]: the one error type, and its exit codes; [`number`]: how every number
//!   prints;
//! - [`data`]: files turned into encoded examples;
//! - [`numeric`]: the maths library (`exp`, `ln`, `tanh`, normal draws) with the same bits
//!   on every CPU; [`simd`]: eight-lane vectors per instruction set and the kernel loops;
//! - [`model`]: the RNN, its passes and gradient; [`weights`]: its safetensors file;
//! - [`settings`]: every training setting and its properties; [`doc`]: a TOML document
//!   whose errors name file and line; [`train`]: one seeded run as a pure function, and
//!   its id;
//! - [`stats`]: descriptive and inferential statistics over seeds; [`metric`]: what a run
//!   is summarised by;
//! - [`search`]: how configurations are chosen (grids, draws) and stopped (successive
//!   halving), from the saved runs alone;
//! - [`experiment`]: an experiment file (and `--set` overrides) expanded into runs;
//! - [`store`]: a results directory and its records; [`tables`]: the tables rebuilt from
//!   them, their one schema, and reading them back;
//! - [`plan`]: a sweep prepared and checked before training;
//! - [`compare`]: whether two sets of runs differ, metric by metric;
//! - [`report`]: the figures and `report.md` a user reads;
//! - [`runner`]: runs trained in parallel and recorded, re-trained and traced, and a whole
//!   sweep from lock to report ([`runner::sweep`]);
//! - [`serve`]: a results directory served read-only over HTTP, its report live while a
//!   sweep runs;
//! - [`cli`]: the command line on top, which only turns arguments into options, calls and
//!   prints.

/// `eprintln!` that never panics: a reader that closes stderr early (`sweep run ... 2>&1 |
/// head`) must not stop a sweep before it writes its tables.
macro_rules! note {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

pub mod cli;
pub mod compare;
pub mod data;
pub(crate) mod doc;
pub mod error;
pub mod experiment;
pub mod metric;
pub mod model;
pub(crate) mod number;
pub(crate) mod numeric;
pub(crate) mod plan;
pub mod report;
pub(crate) mod runner;
pub(crate) mod search;
pub mod serve;
pub mod settings;
pub mod simd;
pub mod stats;
pub mod store;
pub mod tables;
pub mod train;
pub mod weights;

pub use error::{Error, Result};

/// For a unit test that cannot make its check on this machine: `SKIPPED <test>: <why>` on
/// stderr (past the harness's capture), or, under `SWEEP_STRICT_TESTS` (set, not empty nor
/// `0`: `.ci/run`), a panic with the reason. tests/integration/common.rs has the same.
#[cfg(test)]
pub(crate) fn skip_or_fail(test: &str, why: &str) {
    if std::env::var_os("SWEEP_STRICT_TESTS").is_some_and(|v| !v.is_empty() && v != "0") {
        panic!("{test} cannot make its check on this machine (SWEEP_STRICT_TESTS is set): {why}");
    }
    note!("SKIPPED {test}: {why}");
}

#[cfg(test)]
mod layers;
