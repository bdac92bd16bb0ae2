//! Search beyond grids, as one feature: how an experiment's configurations are chosen
//! (`[search]`: a grid, or random or Sobol draws from the axes' distributions) and how
//! successive halving stops the worst of them rung by rung (`[search.halving]`), or a race
//! over seeds stops those found worse than the leader block by block (`[search.race]`).
//!
//! - [`space`]: the axes, their distributions and the draws;
//! - [`parse`]: the `[search]` table and the axes' distributions read from an experiment
//!   file, checked against the axes;
//! - [`halving`]: the halving schedule, and its decisions from the saved runs alone;
//! - [`race_parse`]: the `[search.race]` table, checked against the seeds;
//! - [`race`]: racing configurations over blocks of seeds, its decisions from the saved runs
//!   alone;
//! - [`stages`]: training a halving search or a race stage by stage.
//!
//! The experiment holds a [`Search`]; the rest is called by the runner
//! (`runner::train_staged`, `runner/sweep.rs`), the tables (`halving::stops` in
//! `tables/build.rs`), `sweep slurm`, `sweep plan` and the report, which keeps its section
//! and figure of a search in `report/`.

pub(crate) mod halving;
pub(crate) mod parse;
pub(crate) mod race;
#[cfg(test)]
mod race_error;
pub(crate) mod race_parse;
pub(crate) mod space;
pub(crate) mod stages;

pub(crate) use halving::{Halving, Keep};
pub(crate) use space::{Axis, Method, Sampled, Search, draw};
