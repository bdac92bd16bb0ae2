//! Reading and writing the rows of a CSV table by column name, the one code path every table
//! of a results directory goes through both ways ([`super::schema`] says what the rows are).
//!
//! Tables are written atomically ([`super::atomic`]). Reading finds columns by name, never by
//! position, and every problem is an input error (exit 2) naming the file, the line, the
//! column and the bad value: the reader also takes runs tables made elsewhere.

use std::marker::PhantomData;
use std::path::{Path, PathBuf};

use crate::error::{Error, Location, Result, quoted};
use crate::store::atomic::AtomicFile;

/// One kind of row: its columns in order, and its cells as text.
pub trait Row {
    /// The column names, in order.
    fn header() -> Vec<String>;
    /// This row's cells, one per column of [`Row::header`].
    fn cells(&self) -> Vec<String>;
}

/// A row that can be read back from its table.
pub trait ReadRow: Row + Sized {
    /// The columns a table must have for rows to be read (by default all of them).
    fn required() -> Vec<String> {
        Self::header()
    }
    fn read(cells: &Cells<'_>) -> Result<Self>;
}

/// A table being written; nothing is in place until [`TableWriter::commit`].
pub struct TableWriter<R> {
    writer: csv::Writer<AtomicFile>,
    path: PathBuf,
    row: PhantomData<R>,
}

impl<R: Row> TableWriter<R> {
    /// Starts `path` with its header row.
    pub fn create(path: &Path) -> Result<TableWriter<R>> {
        let mut table = TableWriter {
            writer: csv::Writer::from_writer(AtomicFile::create(path)?),
            path: path.to_path_buf(),
            row: PhantomData,
        };
        table.write_cells(&R::header())?;
        Ok(table)
    }

    pub fn write(&mut self, row: &R) -> Result<()> {
        self.write_cells(&row.cells())
    }

    fn write_cells(&mut self, cells: &[String]) -> Result<()> {
        self.writer
            .write_record(cells)
            .map_err(|e| io_error(&self.path, e))
    }

    /// Puts the complete table in place; returns its path.
    pub fn commit(self) -> Result<PathBuf> {
        let file = self
            .writer
            .into_inner()
            .map_err(|e| Error::io(&self.path, e.into_error()))?;
        file.commit()
    }
}

fn io_error(path: &Path, e: csv::Error) -> Error {
    let io = match e.into_kind() {
        csv::ErrorKind::Io(io) => io,
        other => std::io::Error::other(format!("{other:?}")),
    };
    Error::io(path, io)
}

/// Reads every row of the table at `path`.
pub fn read<R: ReadRow>(path: &Path) -> Result<Vec<R>> {
    let mut rows = Vec::new();
    for_each(path, |row| {
        rows.push(row);
        Ok(())
    })?;
    Ok(rows)
}

/// Reads the table at `path` row by row, handing each to `each`, without holding the table.
pub fn for_each<R: ReadRow>(path: &Path, mut each: impl FnMut(R) -> Result<()>) -> Result<()> {
    let mut reader = csv::Reader::from_path(path)
        .map_err(|e| Error::data(path, Location::File, format!("cannot read the table: {e}")))?;
    let header = reader
        .headers()
        .map_err(|e| bad_csv(path, e))?
        .iter()
        .map(str::to_owned)
        .collect::<Vec<_>>();
    let columns = Columns::find(path, &header, &R::required())?;
    let mut record = csv::StringRecord::new();
    while reader
        .read_record(&mut record)
        .map_err(|e| bad_csv(path, e))?
    {
        let line = record.position().map_or(0, |p| p.line() as usize);
        each(R::read(&Cells {
            path,
            line,
            record: &record,
            columns: &columns,
        })?)?;
    }
    Ok(())
}

fn bad_csv(path: &Path, e: csv::Error) -> Error {
    let line = e.position().map(|p| p.line() as usize);
    let message = match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => {
            format!("this row has {len} fields where the header has {expected_len}")
        }
        csv::ErrorKind::Utf8 { .. } => "not valid UTF-8".to_owned(),
        _ => e.to_string(),
    };
    Error::data(path, line.map_or(Location::File, Location::Line), message)
}

/// Where each column of a table's header is.
#[derive(Debug)]
pub struct Columns {
    names: Vec<String>,
}

impl Columns {
    /// The header `names`, or an error naming the first of `required` it lacks (and the
    /// column it has that looks most like it, for a misspelling).
    fn find(path: &Path, names: &[String], required: &[String]) -> Result<Columns> {
        // A column named twice: which one holds the values is anyone's guess.
        if let Some((i, name)) = names
            .iter()
            .enumerate()
            .find(|(i, n)| names[..*i].contains(n))
        {
            return Err(Error::data(
                path,
                Location::Line(1),
                format!(
                    "the header names column `{name}` twice (columns {} and {}); each column \
                     once",
                    1 + names[..i].iter().position(|n| n == name).unwrap_or(0),
                    i + 1
                ),
            ));
        }
        if let Some(missing) = required.iter().find(|r| !names.contains(r)) {
            let nearest = names
                .iter()
                .map(|n| (strsim::jaro_winkler(n, missing), n))
                .max_by(|a, b| a.0.total_cmp(&b.0))
                .filter(|(score, _)| *score > 0.8)
                .map_or(String::new(), |(_, n)| format!("; is `{n}` misspelled?"));
            return Err(Error::data(
                path,
                Location::Line(1),
                format!("the header has no `{missing}` column{nearest}"),
            ));
        }
        Ok(Columns {
            names: names.to_vec(),
        })
    }

    fn position(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }
}

/// The cells of one row, found by column name.
pub struct Cells<'a> {
    path: &'a Path,
    line: usize,
    record: &'a csv::StringRecord,
    columns: &'a Columns,
}

impl Cells<'_> {
    /// The row's line in its file.
    pub fn line(&self) -> usize {
        self.line
    }

    /// The cell of `column`, `None` if the table has no such column.
    pub fn get(&self, column: &str) -> Option<&str> {
        self.columns
            .position(column)
            .and_then(|i| self.record.get(i))
    }

    /// The cell of a column the table must have.
    pub fn text(&self, column: &str) -> Result<&str> {
        self.get(column)
            .ok_or_else(|| self.error(column, "the table has no such column".into()))
    }

    /// A number, or `None` for an empty cell.
    pub fn number(&self, column: &str) -> Result<Option<f64>> {
        self.parsed(column, "a number")
    }

    /// A whole number, or `None` for an empty cell.
    pub fn integer<T: std::str::FromStr>(&self, column: &str) -> Result<Option<T>> {
        self.parsed(column, "a whole number")
    }

    /// A value that must be there.
    pub fn required<T>(&self, column: &str, value: Option<T>) -> Result<T> {
        value.ok_or_else(|| self.error(column, "is empty; it needs a value".into()))
    }

    fn parsed<T: std::str::FromStr>(&self, column: &str, what: &str) -> Result<Option<T>> {
        let text = self.text(column)?;
        if text.is_empty() {
            return Ok(None);
        }
        text.parse()
            .map(Some)
            .map_err(|_| self.error(column, format!("{} is not {what}", quoted(text))))
    }

    /// An error at this row and `column`: "runs.csv:7: column `clip`: ...".
    pub fn error(&self, column: &str, message: String) -> Error {
        Error::data(
            self.path,
            Location::Line(self.line),
            format!("column `{column}`: {message}"),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq)]
    struct Pair {
        name: String,
        x: Option<f64>,
    }

    impl Row for Pair {
        fn header() -> Vec<String> {
            vec!["name".into(), "x".into()]
        }
        fn cells(&self) -> Vec<String> {
            vec![
                self.name.clone(),
                self.x.map_or(String::new(), |x| x.to_string()),
            ]
        }
    }

    impl ReadRow for Pair {
        fn read(cells: &Cells<'_>) -> Result<Pair> {
            Ok(Pair {
                name: cells.text("name")?.to_owned(),
                x: cells.number("x")?,
            })
        }
    }

    #[test]
    fn rows_written_read_back_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        let rows = vec![
            Pair {
                name: "a, \"b\"".into(),
                x: Some(0.5),
            },
            Pair {
                name: "c".into(),
                x: None,
            },
        ];
        let mut w = TableWriter::create(&path).unwrap();
        for r in &rows {
            w.write(r).unwrap();
        }
        assert!(!path.exists(), "nothing is in place before the commit");
        w.commit().unwrap();
        assert_eq!(read::<Pair>(&path).unwrap(), rows);
    }

    #[test]
    fn bad_tables_name_file_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        let err = |text: &str| {
            std::fs::write(&path, text).unwrap();
            let e = read::<Pair>(&path).unwrap_err();
            assert_eq!(e.exit_code(), 2);
            e.to_string().replace(&path.display().to_string(), "t.csv")
        };
        assert_eq!(
            err("name,y\na,1\n"),
            "t.csv:1: the header has no `x` column"
        );
        assert_eq!(
            err("nme,x\na,1\n"),
            "t.csv:1: the header has no `name` column; is `nme` misspelled?"
        );
        assert_eq!(
            err("name,x\na,1\nb,one\n"),
            "t.csv:3: column `x`: `one` is not a number"
        );
        assert_eq!(
            err("name,x\na,1,2\n"),
            "t.csv:2: this row has 3 fields where the header has 2"
        );
        // Columns are found by name, in any order, extra ones ignored.
        std::fs::write(&path, "x,extra,name\n2,z,b\n").unwrap();
        assert_eq!(
            read::<Pair>(&path).unwrap(),
            [Pair {
                name: "b".into(),
                x: Some(2.0)
            }]
        );
    }
}
