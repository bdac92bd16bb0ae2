//! Tables as a JSON array of objects keyed by the header.

use super::{Export, Table};

pub(crate) struct JsonExport;

impl Export for JsonExport {
    fn serialize(&self, table: &Table) -> Vec<u8> {
        let rows: Vec<serde_json::Map<String, serde_json::Value>> = table
            .rows
            .iter()
            .map(|row| {
                table
                    .header
                    .iter()
                    .cloned()
                    .zip(row.iter().map(|c| serde_json::Value::String(c.clone())))
                    .collect()
            })
            .collect();
        let mut out = serde_json::to_vec_pretty(&rows).unwrap_or_default();
        out.push(b'\n');
        out
    }
}
