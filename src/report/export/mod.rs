//! Exports of a [`Table`]: one module per format behind [`Export`], which only turns a table
//! into bytes; the caller does the I/O (`sweep table` prints them, the report embeds the
//! Markdown).

mod csv;
mod json;
mod markdown;

pub(crate) use self::csv::CsvExport;
pub(crate) use self::json::JsonExport;
pub(crate) use self::markdown::MarkdownExport;

/// A table of strings with a header row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    pub(crate) fn new(header: &[&str]) -> Table {
        Table {
            header: header.iter().map(|h| (*h).to_owned()).collect(),
            rows: Vec::new(),
        }
    }
}

/// One output format.
pub(crate) trait Export {
    /// The whole output for `table`.
    fn serialize(&self, table: &Table) -> Vec<u8>;
}

/// The formats a user can ask for by name.
pub(crate) fn by_name(name: &str) -> Option<Box<dyn Export>> {
    match name {
        "csv" => Some(Box::new(CsvExport)),
        "markdown" | "md" => Some(Box::new(MarkdownExport)),
        "json" => Some(Box::new(JsonExport)),
        _ => None,
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
}
