#![no_main]
//! Fuzzes the .py data loader (see loader.rs).

use libfuzzer_sys::fuzz_target;

mod loader;

fuzz_target!(|bytes: &[u8]| loader::load("f.py", bytes));
