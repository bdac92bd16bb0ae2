//! Search beyond grids, as one feature: how an experiment's configurations are chosen
//! (`[search]`: a grid, or random or Sobol draws from the axes' distributions) and how
//! successive halving stops the worst of them rung by rung (`[search.halving]`).
//!
//! - [`space`]: the axes, their distributions and the draws;
//! - [`parse`]: the `[search]` table and the axes' distributions read from an experiment
//!   file, checked against the axes;
//! - [`halving`]: the halving schedule, and its decisions from the saved runs alone;
//! - [`stages`]: training a halving search stage by stage.
//!
//! The experiment holds a [`Search`]; the rest is called by the runner
//! (`runner::train_halving`, `runner/sweep.rs`), the tables (`halving::stops` in
//! `tables/build.rs`), `sweep slurm`, `sweep plan` and the report, which keeps its section
//! and figure of a search in `report/`.

pub(crate) mod halving;
pub(crate) mod parse;
pub(crate) mod space;
pub(crate) mod stages;

pub(crate) use halving::{Halving, Keep};
pub(crate) use space::{Axis, Method, Sampled, Search, draw};
