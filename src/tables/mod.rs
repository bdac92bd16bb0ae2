//! The tables of a sweep: one schema for every table a sweep writes and reads
//! ([`schema`], over the row reader and writer of [`rows`]), the configurations runs group
//! into ([`configs`]), `summary.csv`'s statistics ([`summary`]), rebuilding them from the
//! store's records ([`build`]) and reading them back ([`read`]).
//!
//! ```text
//! runs.csv curves.parquet curves.csv summary.csv timings.csv    rebuilt from the records
//! ```

pub(crate) mod build;
pub(crate) mod configs;
pub(crate) mod parquet;
pub(crate) mod read;
pub mod rows;
pub mod schema;
pub(crate) mod summary;

pub use build::{
    CURVES_CSV_MAX_ROWS, CurvesCsv, Written, rebuild, rebuild_with, write, write_with,
};
pub use read::Sweep;
pub use summary::ConfigSummary;
