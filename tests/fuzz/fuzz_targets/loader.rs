//! What the three data targets do, apart from the file name that picks the format:
//! `sweep::data::parse` for both roles, then `sweep::data::build` on whatever parses.
//! Errors are expected; only panics count.

use std::path::Path;

use sweep::data::{Role, build, parse};

/// Feeds `bytes` to the loader of `file`'s format (chosen by its extension).
pub fn load(file: &str, bytes: &[u8]) {
    let path = Path::new(file);
    for role in [Role::Train, Role::Test] {
        if let Ok(loaded) = parse(path, bytes, role) {
            let raw = &loaded.examples;
            let _ = build(path, raw, path, raw);
        }
    }
}
