//! Tables as GitHub-flavoured Markdown: the first column left-aligned, numbers right.

use super::{Export, Table};

pub(crate) struct MarkdownExport;

impl Export for MarkdownExport {
    fn serialize(&self, table: &Table) -> Vec<u8> {
        let line = |cells: &[String]| {
            let escaped: Vec<String> = cells.iter().map(|c| c.replace('|', "\\|")).collect();
            format!("| {} |\n", escaped.join(" | "))
        };
        let mut out = line(&table.header);
        // The first column names the row (left), the others hold numbers (right).
        let rest = table.header.len().saturating_sub(1);
        out += &format!("|---|{}\n", "---:|".repeat(rest));
        for row in &table.rows {
            out += &line(row);
        }
        out.into_bytes()
    }
}
