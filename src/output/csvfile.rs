//! A CSV file written under a temporary name and renamed into place when complete, so a
//! reader never sees half a table even if the sweep is killed while writing it.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

pub struct CsvFile {
    path: PathBuf,
    tmp: PathBuf,
    /// Taken by `commit`.
    writer: Option<csv::Writer<BufWriter<File>>>,
}

impl CsvFile {
    /// Starts `path` with its header row.
    pub fn create(path: &Path, header: &[&str]) -> Result<CsvFile> {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("table.csv");
        let tmp = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
        let file = File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
        let mut csv = CsvFile {
            path: path.to_path_buf(),
            tmp,
            writer: Some(csv::Writer::from_writer(BufWriter::new(file))),
        };
        csv.row(header)?;
        Ok(csv)
    }

    pub fn row<S: AsRef<[u8]>>(&mut self, fields: &[S]) -> Result<()> {
        let writer = self
            .writer
            .as_mut()
            .expect("rows are written before commit");
        writer
            .write_record(fields)
            .map_err(|e| error(&self.path, e))
    }

    /// Flushes, syncs and renames the file into place; returns its path.
    pub fn commit(mut self) -> Result<PathBuf> {
        let writer = self.writer.take().expect("commit is called once");
        let (path, tmp) = (self.path.clone(), self.tmp.clone());
        let fail = |e: std::io::Error| Error::io(&path, e);
        let mut buffered = writer.into_inner().map_err(|e| fail(e.into_error()))?;
        buffered.flush().map_err(fail)?;
        let file = buffered.into_inner().map_err(|e| fail(e.into_error()))?;
        file.sync_all().map_err(fail)?;
        std::fs::rename(&tmp, &path).map_err(fail)?;
        Ok(path)
    }
}

fn error(path: &Path, e: csv::Error) -> Error {
    let io = match e.into_kind() {
        csv::ErrorKind::Io(io) => io,
        other => std::io::Error::other(format!("{other:?}")),
    };
    Error::io(path, io)
}

impl Drop for CsvFile {
    fn drop(&mut self) {
        // After a commit the temporary is already renamed away; after an error on the way
        // this leaves none behind.
        let _ = std::fs::remove_file(&self.tmp);
    }
}
