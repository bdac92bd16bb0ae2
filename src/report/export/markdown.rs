//! Tables as GitHub-flavoured Markdown, numbers right-aligned.

use super::{Export, Table};

pub struct MarkdownExport;

impl Export for MarkdownExport {
    fn extension(&self) -> &'static str {
        "md"
    }

    fn serialize(&self, table: &Table) -> Vec<u8> {
        let line = |cells: &[String]| {
            let escaped: Vec<String> = cells.iter().map(|c| c.replace('|', "\\|")).collect();
            format!("| {} |\n", escaped.join(" | "))
        };
        let mut out = line(&table.header);
        out += &format!("|{}\n", "---:|".repeat(table.header.len()));
        for row in &table.rows {
            out += &line(row);
        }
        out.into_bytes()
    }
}
