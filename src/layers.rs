//! The layering `lib.rs` states, checked: each top-level module uses only the modules
//! listed before it, so the module graph has no cycle and a back-edge fails this test.

use std::collections::BTreeSet;
use std::path::Path;

/// The modules bottom up, as `lib.rs` lists them.
const LAYERS: [&str; 22] = [
    "error",
    "number",
    "data",
    "numeric",
    "simd",
    "model",
    "weights",
    "settings",
    "doc",
    "train",
    "stats",
    "metric",
    "search",
    "experiment",
    "store",
    "tables",
    "plan",
    "compare",
    "report",
    "runner",
    "serve",
    "cli",
];

/// The `crate::X` modules the non-test code of `path` (a file or folder) names.
fn uses(path: &Path, found: &mut BTreeSet<String>) {
    if path.is_dir() {
        for entry in std::fs::read_dir(path).unwrap() {
            uses(&entry.unwrap().path(), found);
        }
        return;
    }
    if path.file_name().is_some_and(|n| n == "tests.rs") {
        return;
    }
    let text = std::fs::read_to_string(path).unwrap();
    let code = text.split("#[cfg(test)]").next().unwrap_or("");
    for line in code.lines().filter(|l| !l.trim_start().starts_with("//")) {
        for (i, _) in line.match_indices("crate::") {
            let rest = &line[i + "crate::".len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            found.insert(name);
        }
    }
}

#[test]
fn every_module_uses_only_the_layers_below_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut wrong = Vec::new();
    for (i, module) in LAYERS.iter().enumerate() {
        let dir = src.join(module);
        let path = if dir.is_dir() {
            dir
        } else {
            src.join(format!("{module}.rs"))
        };
        assert!(path.exists(), "no module {module}");
        let mut found = BTreeSet::new();
        uses(&path, &mut found);
        for used in found.iter().filter(|u| LAYERS[i..].contains(&u.as_str())) {
            if used != module {
                wrong.push(format!("{module} uses {used}, a layer above it"));
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
    // Every module of the crate has its place.
    for entry in std::fs::read_dir(&src).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        let module = name.trim_end_matches(".rs");
        assert!(
            LAYERS.contains(&module) || ["lib", "main", "layers"].contains(&module),
            "{module} has no layer"
        );
    }
}
