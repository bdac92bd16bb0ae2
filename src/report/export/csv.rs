//! Tables as CSV.

use super::{Export, Table};

pub(crate) struct CsvExport;

impl Export for CsvExport {
    fn serialize(&self, table: &Table) -> Vec<u8> {
        let mut writer = csv::Writer::from_writer(Vec::new());
        // Writing to a Vec cannot fail.
        let _ = writer.write_record(&table.header);
        for row in &table.rows {
            let _ = writer.write_record(row);
        }
        writer.into_inner().unwrap_or_default()
    }
}
