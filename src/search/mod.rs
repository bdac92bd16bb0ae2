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
//! The experiment holds a [`Search`]; the runner, `sweep slurm`, `sweep plan` and the report
//! call the rest. The report keeps its section and figure of a search in `report/`.

pub mod halving;
pub mod parse;
pub mod space;
pub mod stages;

pub use halving::{Halving, Keep};
pub use space::{
    Axis, Distribution, Method, SOBOL_MAX_DIMENSIONS, SOBOL_MAX_SAMPLES, Sampled, Search, draw,
};
