#![no_main]
//! Fuzzes the .py data loader: `sweep::data::parse` for both roles, then
//! `sweep::data::build` on whatever parses. Errors are expected; only panics count.

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use sweep::data::{Role, build, parse};

fuzz_target!(|bytes: &[u8]| {
    let path = Path::new("f.py");
    for role in [Role::Train, Role::Test] {
        if let Ok(loaded) = parse(path, bytes, role) {
            let raw = &loaded.examples;
            let _ = build(path, raw, path, raw);
        }
    }
});
