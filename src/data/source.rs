//! Reading a data file into raw examples: the file's text checked once, then handed to the
//! loader its extension names (`.tsv`, `.csv` or the tutorial's `.py` module).

use std::path::Path;

use super::raw::{Loaded, Role};
use super::{delimited, pyliteral};
use crate::error::{Error, Location, Result};

/// Loads the raw examples of `path` for `role`; at least one, or an error naming the file.
pub(super) fn load(path: &Path, role: Role) -> Result<Loaded> {
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
        Some("tsv" | "tab") => |p, t, _| delimited::parse(p, t, b'\t').map(Loaded::quiet),
        Some("csv") => |p, t, _| delimited::parse(p, t, b',').map(Loaded::quiet),
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
