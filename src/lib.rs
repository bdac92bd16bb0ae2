//! `sweep`: the classic from-scratch RNN sentiment tutorial, reproduced exactly and run over
//! seeds and hyperparameter grids.
//!
//! The layers, bottom up: [`data`] turns files into encoded examples, [`model`] is the RNN
//! and its gradient, [`train`] is one seeded run as a pure function, and [`cli`] is the
//! command line on top.

pub mod cli;
pub mod data;
pub mod error;
pub mod experiment;
pub mod model;
pub mod output;
pub mod report;
pub mod runner;
pub mod train;

pub use error::{Error, Result};
