//! `curves.parquet`: the per-epoch curves in the format pandas, polars and DuckDB read in
//! one line without parsing text (`pd.read_parquet`, `pl.read_parquet`,
//! `SELECT * FROM 'curves.parquet'`), for sweeps whose `curves.csv` would be too large to
//! write ([`super::build::CURVES_CSV_MAX_ROWS`]). The same columns as `curves.csv`, named by
//! [`CurveRow`]: `run_id`, `epoch`, then one column per [`Curve`], the test ones empty
//! (null) between evaluations; numbers exact (IEEE doubles).
//!
//! Written with the `parquet` crate without its default features (no Arrow, no
//! compression codecs: about 35 s of CPU on a fresh build). Row groups of
//! [`ROW_GROUP`] rows keep the run ids dictionary-encoded and the writer's memory small; an
//! accuracy, a few distinct values, is dictionary-encoded by the crate's defaults too.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use parquet::basic::Encoding;
use parquet::column::reader::ColumnReader;
use parquet::data_type::{ByteArray, ByteArrayType, DoubleType, Int32Type};
use parquet::file::properties::WriterProperties;
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;
use parquet::schema::types::ColumnPath;

use super::rows::Row;
use super::schema::{Curve, CurveRow};
use crate::error::{Error, Result};
use crate::store::atomic::AtomicFile;
use crate::train::{EpochMetrics, Eval};

/// Rows per row group: about 6,500 runs of 10 epochs, whose ids fit a small dictionary.
pub(crate) const ROW_GROUP: usize = 65_536;

/// The columns of one row group, filled row by row.
#[derive(Default)]
struct Columns {
    run_id: Vec<ByteArray>,
    epoch: Vec<i32>,
    /// Per curve: its values (present ones only) and each row's definition level.
    values: [Vec<f64>; 4],
    defined: [Vec<i16>; 4],
}

/// `curves.parquet` being written; [`CurvesParquet::commit`] puts it in place atomically.
pub(crate) struct CurvesParquet {
    path: PathBuf,
    writer: SerializedFileWriter<AtomicFile>,
    columns: Columns,
}

/// The Parquet schema of [`CurveRow`]'s columns.
fn schema() -> String {
    let header = CurveRow::header();
    let mut fields = vec![
        format!("REQUIRED BYTE_ARRAY {} (UTF8);", header[0]),
        format!("REQUIRED INT32 {};", header[1]),
    ];
    for curve in Curve::ALL {
        let repetition = if curve.is_test() {
            "OPTIONAL"
        } else {
            "REQUIRED"
        };
        fields.push(format!("{repetition} DOUBLE {};", curve.name()));
    }
    format!("message curves {{ {} }}", fields.join(" "))
}

fn parquet_error(path: &Path, e: parquet::errors::ParquetError) -> Error {
    Error::io(path, std::io::Error::other(e.to_string()))
}

impl CurvesParquet {
    pub(crate) fn create(path: &Path) -> Result<CurvesParquet> {
        let fail = |e| parquet_error(path, e);
        let schema = Arc::new(parse_message_type(&schema()).map_err(fail)?);
        let epoch = ColumnPath::from(CurveRow::header()[1].as_str());
        let props = WriterProperties::builder()
            .set_max_row_group_row_count(Some(ROW_GROUP))
            .set_created_by("sweep".to_owned())
            // Epochs count up by one: a delta of one, a few bits a row.
            .set_column_dictionary_enabled(epoch.clone(), false)
            .set_column_encoding(epoch, Encoding::DELTA_BINARY_PACKED)
            .build();
        let file = AtomicFile::create(path)?;
        let writer = SerializedFileWriter::new(file, schema, Arc::new(props)).map_err(fail)?;
        Ok(CurvesParquet {
            path: path.to_path_buf(),
            writer,
            columns: Columns::default(),
        })
    }

    pub(crate) fn write(&mut self, row: &CurveRow) -> Result<()> {
        let c = &mut self.columns;
        c.run_id.push(ByteArray::from(row.run_id.as_str()));
        c.epoch
            .push(i32::try_from(row.metrics.epoch).unwrap_or(i32::MAX));
        for curve in Curve::ALL {
            let i = curve as usize;
            match curve.at(&row.metrics) {
                Some(v) => {
                    c.values[i].push(v);
                    c.defined[i].push(1);
                }
                None => c.defined[i].push(0),
            }
        }
        if c.epoch.len() >= ROW_GROUP {
            self.flush()?;
        }
        Ok(())
    }

    /// Writes the rows gathered so far as one row group.
    fn flush(&mut self) -> Result<()> {
        if self.columns.epoch.is_empty() {
            return Ok(());
        }
        let path = self.path.clone();
        let fail = |e| parquet_error(&path, e);
        let c = std::mem::take(&mut self.columns);
        let mut group = self.writer.next_row_group().map_err(fail)?;
        let mut i = 0;
        while let Some(mut column) = group.next_column().map_err(fail)? {
            match i {
                0 => column
                    .typed::<ByteArrayType>()
                    .write_batch(&c.run_id, None, None),
                1 => column
                    .typed::<Int32Type>()
                    .write_batch(&c.epoch, None, None),
                n => {
                    let k = n - 2;
                    let defined = Curve::ALL[k].is_test().then_some(&c.defined[k][..]);
                    column
                        .typed::<DoubleType>()
                        .write_batch(&c.values[k], defined, None)
                }
            }
            .map_err(fail)?;
            column.close().map_err(fail)?;
            i += 1;
        }
        group.close().map_err(fail)?;
        Ok(())
    }

    pub(crate) fn commit(mut self) -> Result<PathBuf> {
        self.flush()?;
        let path = self.path.clone();
        let file = self
            .writer
            .into_inner()
            .map_err(|e| parquet_error(&path, e))?;
        file.commit()
    }
}

/// Calls `f` with every row of the `curves.parquet` at `path`, row group by row group.
pub(crate) fn for_each(path: &Path, mut f: impl FnMut(CurveRow) -> Result<()>) -> Result<()> {
    let fail = |e| parquet_error(path, e);
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let reader = SerializedFileReader::new(file).map_err(fail)?;
    let want = parse_message_type(&schema()).map_err(fail)?;
    let have = reader.metadata().file_metadata().schema();
    if have.get_fields() != want.get_fields() {
        return Err(Error::io(
            path,
            std::io::Error::other("its columns are not those of sweep's curves"),
        ));
    }
    for g in 0..reader.num_row_groups() {
        let group = reader.get_row_group(g).map_err(fail)?;
        let rows = usize::try_from(group.metadata().num_rows()).unwrap_or(0);
        let ids: Vec<ByteArray> = read_column(group.get_column_reader(0).map_err(fail)?, rows)
            .map_err(fail)?
            .0;
        let epochs: Vec<i32> = read_column(group.get_column_reader(1).map_err(fail)?, rows)
            .map_err(fail)?
            .0;
        let mut curves: Vec<(Vec<f64>, Vec<i16>)> = Vec::new();
        for k in 0..Curve::ALL.len() {
            curves.push(
                read_column(group.get_column_reader(k + 2).map_err(fail)?, rows).map_err(fail)?,
            );
        }
        let mut next = [0usize; 4];
        for r in 0..rows {
            let mut at = |k: usize| -> Option<f64> {
                let (values, defined) = &curves[k];
                let present = defined.is_empty() || defined.get(r) == Some(&1);
                present.then(|| {
                    let v = values.get(next[k]).copied();
                    next[k] += 1;
                    v
                })?
            };
            let train_loss = at(0);
            let train_acc = at(1);
            let test_loss = at(2);
            let test_acc = at(3);
            let (Some(loss), Some(accuracy), Some(id), Some(&epoch)) =
                (train_loss, train_acc, ids.get(r), epochs.get(r))
            else {
                return Err(Error::io(
                    path,
                    std::io::Error::other(format!("row {r} of row group {g} is incomplete")),
                ));
            };
            let run_id = std::str::from_utf8(id.data())
                .map_err(|_| Error::io(path, std::io::Error::other("a run id is not text")))?;
            f(CurveRow {
                run_id: run_id.to_owned(),
                metrics: EpochMetrics {
                    epoch: u32::try_from(epoch).unwrap_or(0),
                    train: Eval { loss, accuracy },
                    test: test_loss
                        .zip(test_acc)
                        .map(|(loss, accuracy)| Eval { loss, accuracy }),
                },
            })?;
        }
    }
    Ok(())
}

/// A whole column chunk of `rows` rows: its present values and its definition levels
/// (empty for a required column).
fn read_column<T: Default + Clone + ColumnValue>(
    reader: ColumnReader,
    rows: usize,
) -> parquet::errors::Result<(Vec<T>, Vec<i16>)> {
    T::read(reader, rows)
}

/// The value types of the curves' columns, read whole.
trait ColumnValue: Sized {
    fn read(reader: ColumnReader, rows: usize) -> parquet::errors::Result<(Vec<Self>, Vec<i16>)>;
}

macro_rules! column_value {
    ($t:ty, $variant:ident) => {
        impl ColumnValue for $t {
            fn read(
                reader: ColumnReader,
                rows: usize,
            ) -> parquet::errors::Result<(Vec<Self>, Vec<i16>)> {
                let ColumnReader::$variant(mut r) = reader else {
                    return Err(parquet::errors::ParquetError::General(
                        "a column of another type".into(),
                    ));
                };
                let mut values = Vec::with_capacity(rows);
                let mut defined = Vec::with_capacity(rows);
                let mut read = 0;
                while read < rows {
                    let (records, _, _) =
                        r.read_records(rows - read, Some(&mut defined), None, &mut values)?;
                    if records == 0 {
                        break;
                    }
                    read += records;
                }
                Ok((values, defined))
            }
        }
    };
}

column_value!(ByteArray, ByteArrayColumnReader);
column_value!(i32, Int32ColumnReader);
column_value!(f64, DoubleColumnReader);

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: &str, epoch: u32, test: bool) -> CurveRow {
        let e = f64::from(epoch);
        CurveRow {
            run_id: id.into(),
            metrics: EpochMetrics {
                epoch,
                train: Eval {
                    loss: 1.0 / e,
                    accuracy: (e % 7.0) / 7.0,
                },
                test: test.then_some(Eval {
                    loss: 0.1 + e,
                    accuracy: 0.5,
                }),
            },
        }
    }

    #[test]
    fn curves_come_back_row_for_row_bit_for_bit_across_row_groups() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("curves.parquet");
        let mut rows = Vec::new();
        for run in 0..ROW_GROUP / 10 + 7 {
            for epoch in 1..=20 {
                rows.push(row(&format!("{run:012x}"), epoch, epoch % 10 == 0));
            }
        }
        let mut w = CurvesParquet::create(&path).unwrap();
        for r in &rows {
            w.write(r).unwrap();
        }
        w.commit().unwrap();
        let mut back = Vec::new();
        for_each(&path, |r| {
            back.push(r);
            Ok(())
        })
        .unwrap();
        assert_eq!(back, rows);
        // Dictionary ids, delta epochs: well under the 56 bytes a row of plain columns takes.
        let size = std::fs::metadata(&path).unwrap().len() as usize;
        assert!(
            size < rows.len() * 20,
            "{size} bytes for {} rows",
            rows.len()
        );
    }

    #[test]
    fn a_file_of_other_columns_is_refused_not_misread() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("curves.parquet");
        std::fs::write(&path, b"PAR1 not really").unwrap();
        assert!(for_each(&path, |_| Ok(())).is_err());
    }
}
