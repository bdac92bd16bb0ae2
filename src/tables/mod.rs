//! The tables of a sweep: one schema for every table a sweep writes and reads
//! ([`schema`], over the row reader and writer of [`rows`]), the configurations runs group
//! into ([`configs`]), `summary.csv`'s statistics ([`summary`]), rebuilding them from the
//! store's records ([`build`]) and reading them back ([`read`]).
//!
//! ```text
//! runs.csv curves.csv summary.csv timings.csv    rebuilt from the records
//! ```

pub(crate) mod build;
pub(crate) mod configs;
pub(crate) mod read;
pub mod rows;
pub mod schema;
pub(crate) mod summary;

pub use build::{Written, rebuild, write};
pub use read::Sweep;
pub use summary::ConfigSummary;
