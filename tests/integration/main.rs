//! The end-to-end tests: one test binary, one module per area (as ripgrep's `tests/`), so
//! that `cargo test` links the `sweep` library into a single test executable instead of one
//! per file. Each module runs the `sweep` binary in temp dirs; `common` holds the helpers.
//!
//! `cargo test --release --test integration MODULE::` runs one area, e.g. `robustness::`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    unreachable_pub
)]

mod common;

mod compare;
mod corners;
mod docs;
mod html;
mod race;
mod records;
mod report;
mod robustness;
mod run;
mod safety;
mod search;
mod serve;
mod train;
mod unfinished;
mod weights;
