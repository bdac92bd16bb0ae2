//! Reading a data file into raw examples: the file's text checked once, then handed to the
//! loader its extension names (`.tsv`, `.csv` or the tutorial's `.py` module).

use std::path::Path;

use super::{pyliteral, table};
use crate::error::{Error, Location, Result};

/// One example as the file states it, before tokenising and label mapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawExample {
    pub text: String,
    /// The label exactly as written (trimmed); `True`/`False` of a `.py` file become
    /// `true`/`false`.
    pub label: String,
    /// 1-based line of the example in its file, for messages.
    pub line: usize,
}

/// A data file's examples, and what its loader noticed that does not stop a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loaded {
    pub examples: Vec<RawExample>,
    /// Complete messages, each naming the file.
    pub warnings: Vec<String>,
}

/// Which half of the data a file provides; a `.py` module holds both and this picks the dict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Train,
    Test,
}

impl Role {
    /// The variable a tutorial-style `.py` data module binds for this role.
    pub fn py_variable(self) -> &'static str {
        match self {
            Role::Train => "train_data",
            Role::Test => "test_data",
        }
    }
}

/// Loads the raw examples of `path` for `role`; at least one, or an error naming the file.
pub fn load(path: &Path, role: Role) -> Result<Loaded> {
    let bytes = std::fs::read(path)
        .map_err(|e| Error::data(path, Location::File, format!("cannot read the file: {e}")))?;
    parse(path, &bytes, role)
}

/// Parses the contents of a data file; `path` picks the format by its extension and names
/// the file in messages. (The fuzz targets call this directly.)
pub fn parse(path: &Path, bytes: &[u8], role: Role) -> Result<Loaded> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let text = decode(path, bytes)?;
    let parse: fn(&Path, &str, Role) -> Result<Loaded> = match ext.as_deref() {
        Some("tsv" | "tab") => |p, t, _| table::parse(p, t, b'\t').map(Loaded::quiet),
        Some("csv") => |p, t, _| table::parse(p, t, b',').map(Loaded::quiet),
        Some("py") => pyliteral::parse,
        other => {
            let found = other.map_or("no extension".to_owned(), |e| format!("`.{e}`"));
            return Err(Error::data(
                path,
                Location::File,
                format!("unknown data format ({found}); allowed: .tsv, .csv, .py"),
            ));
        }
    };
    let loaded = parse(path, &text, role)?;
    if loaded.examples.is_empty() {
        return Err(Error::data(path, Location::File, "no examples in the file"));
    }
    Ok(loaded)
}

impl Loaded {
    /// Examples with nothing to warn about.
    fn quiet(examples: Vec<RawExample>) -> Loaded {
        Loaded {
            examples,
            warnings: Vec::new(),
        }
    }
}

/// The file's contents as UTF-8 without a byte-order mark; empty files and invalid bytes are
/// errors that give the line.
fn decode(path: &Path, bytes: &[u8]) -> Result<String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(Error::data(path, Location::File, "the file is empty"));
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(text.to_owned()),
        Err(e) => {
            let good = &bytes[..e.valid_up_to()];
            let line = 1 + good.iter().filter(|&&b| b == b'\n').count();
            let byte = bytes[e.valid_up_to()];
            Err(Error::data(
                path,
                Location::Line(line),
                format!("not valid UTF-8 (byte 0x{byte:02X}); data files must be UTF-8 text"),
            ))
        }
    }
}
