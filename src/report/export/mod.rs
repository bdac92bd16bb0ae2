//! Exports of a [`Table`]: one file per format behind [`Export`], which only turns a table
//! into bytes; [`ExportManager`] does all the file I/O.

mod csv;
mod json;
mod markdown;

use std::path::{Path, PathBuf};

pub use self::csv::CsvExport;
pub use self::json::JsonExport;
pub use self::markdown::MarkdownExport;

use crate::error::Result;
use crate::runner::record::write_atomic;

/// A table of strings with a header row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(header: &[&str]) -> Table {
        Table {
            header: header.iter().map(|h| (*h).to_owned()).collect(),
            rows: Vec::new(),
        }
    }
}

/// One output format.
pub trait Export {
    /// File extension, without the dot.
    fn extension(&self) -> &'static str;
    /// The whole file for `table`.
    fn serialize(&self, table: &Table) -> Vec<u8>;
}

/// The formats a user can ask for by name.
pub fn by_name(name: &str) -> Option<Box<dyn Export>> {
    match name {
        "csv" => Some(Box::new(CsvExport)),
        "markdown" | "md" => Some(Box::new(MarkdownExport)),
        "json" => Some(Box::new(JsonExport)),
        _ => None,
    }
}

/// Writes tables in a set of formats.
pub struct ExportManager {
    exports: Vec<Box<dyn Export>>,
}

impl ExportManager {
    pub fn new(exports: Vec<Box<dyn Export>>) -> ExportManager {
        ExportManager { exports }
    }

    /// Writes `table` as `<stem>.<ext>` for every format; returns the paths.
    pub fn write(&self, table: &Table, stem: &Path) -> Result<Vec<PathBuf>> {
        self.exports
            .iter()
            .map(|e| {
                let path = stem.with_extension(e.extension());
                write_atomic(&path, &e.serialize(table))?;
                Ok(path)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Table {
        let mut t = Table::new(&["epoch", "loss"]);
        t.rows.push(vec!["100".into(), "0.688".into()]);
        t.rows.push(vec!["200".into(), "a|b, \"c\"".into()]);
        t
    }

    #[test]
    fn snapshots_of_each_format() {
        let csv = String::from_utf8(CsvExport.serialize(&table())).unwrap();
        assert_eq!(csv, "epoch,loss\n100,0.688\n200,\"a|b, \"\"c\"\"\"\n");
        let md = String::from_utf8(MarkdownExport.serialize(&table())).unwrap();
        assert_eq!(
            md,
            "| epoch | loss |\n|---|---:|\n| 100 | 0.688 |\n| 200 | a\\|b, \"c\" |\n"
        );
        let json = String::from_utf8(JsonExport.serialize(&table())).unwrap();
        assert_eq!(
            json,
            "[\n  {\n    \"epoch\": \"100\",\n    \"loss\": \"0.688\"\n  },\n  {\n    \"epoch\": \"200\",\n    \"loss\": \"a|b, \\\"c\\\"\"\n  }\n]\n"
        );
    }

    #[test]
    fn the_manager_writes_one_file_per_format() {
        let dir = tempfile::tempdir().unwrap();
        let manager = ExportManager::new(vec![Box::new(CsvExport), Box::new(JsonExport)]);
        let files = manager.write(&table(), &dir.path().join("t")).unwrap();
        assert_eq!(files, [dir.path().join("t.csv"), dir.path().join("t.json")]);
        assert!(files.iter().all(|f| f.exists()));
    }
}
