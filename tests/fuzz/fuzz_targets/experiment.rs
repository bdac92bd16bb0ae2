#![no_main]
//! Fuzzes the TOML experiment parser: `Experiment::from_text`, then `run_count` and, for
//! grids of at most 10,000 runs, the grid expansion `runs`. Errors are expected; only
//! panics count.

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use sweep::experiment::Experiment;

fuzz_target!(|bytes: &[u8]| {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return;
    };
    if let Ok(exp) = Experiment::from_text(Path::new("/tmp/exp.toml"), text)
        && exp.run_count() <= 10_000
    {
        let _ = exp.runs("fp");
    }
});
