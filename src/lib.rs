//! `sweep`: the classic from-scratch RNN sentiment tutorial, reproduced exactly and run over
//! seeds and hyperparameter grids.
//!
//! The layers, bottom up: [`data`] turns files into encoded examples, [`model`] is the RNN
//! and its gradient, [`train`] is one seeded run as a pure function, and [`cli`] is the
//! command line on top.

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
pub mod error;
pub mod experiment;
pub mod model;
pub mod plan;
pub mod report;
pub mod results;
pub mod runner;
pub mod settings;
pub mod stats;
pub mod train;

pub use error::{Error, Result};
