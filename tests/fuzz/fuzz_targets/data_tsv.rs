#![no_main]
//! Fuzzes the .tsv data loader (see loader.rs).

use libfuzzer_sys::fuzz_target;

mod loader;

fuzz_target!(|bytes: &[u8]| loader::load("f.tsv", bytes));
