//! `sweep`: the classic from-scratch RNN sentiment tutorial, reproduced exactly and run over
//! seeds and hyperparameter grids.
//!
//! The layers, bottom up: [`data`] turns files into encoded examples; [`numeric`] is the
//! maths library (`exp`, `ln`, `tanh`, normal draws, softmax) with the same bits on every
//! CPU; [`simd`] the eight-lane vectors of each instruction set and the kernel loops over
//! them; [`model`] the RNN, its passes and its gradient; [`weights`] a model's safetensors
//! file; [`train`] one seeded run as a pure function; [`experiment`] an experiment file
//! expanded into runs; [`runner`] those runs trained in parallel and recorded; [`output`]
//! the result tables; [`report`] the tables, figures and `report.md` a user reads; and
//! [`cli`] the command line on top. [`error`] is the one error type they share.

/// `eprintln!` that never panics: a reader that closes stderr early (`sweep run ... 2>&1 |
/// head`) must not stop a sweep before it writes its tables.
macro_rules! note {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

pub mod cli;
pub mod data;
pub mod error;
pub mod experiment;
pub mod model;
pub mod numeric;
pub mod output;
pub mod report;
pub mod runner;
pub mod simd;
pub mod train;
pub mod weights;

pub use error::{Error, Result};
