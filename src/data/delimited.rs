//! The TSV/CSV loader: a header line naming a `text` and a `label` column (any order, other
//! columns ignored), then one example per line.

use std::path::Path;

use super::raw::RawExample;
use crate::error::{Error, Location, Result, quoted};

/// Parses delimited `text` (already checked UTF-8) from `path`.
pub(super) fn parse(path: &Path, text: &str, delimiter: u8) -> Result<Vec<RawExample>> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        // A tab-separated phrase may hold a lone `"`; only CSV uses quoting.
        .quoting(delimiter != b'\t')
        .has_headers(true)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| csv_error(path, text, &e))?
        .clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
            .ok_or_else(|| {
                let found: Vec<_> = headers.iter().map(quoted).collect();
                Error::data(
                    path,
                    Location::Line(1),
                    format!(
                        "the header has no `{name}` column (found {}); the header must name \
                         a `text` and a `label` column",
                        found.join(", ")
                    ),
                )
            })
    };
    let (text_col, label_col) = (column("text")?, column("label")?);

    let mut examples = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| csv_error(path, text, &e))?;
        let line = record.position().map_or(0, |p| line_of(text, p.byte()));
        let field = |i: usize| record.get(i).unwrap_or("").trim().to_owned();
        examples.push(RawExample {
            text: field(text_col),
            label: field(label_col),
            line,
        });
    }
    if examples.is_empty() {
        return Err(Error::data(
            path,
            Location::File,
            "only a header line, no examples",
        ));
    }
    Ok(examples)
}

/// The 1-based line of the record the csv crate places at byte `offset`. Its own line count
/// drifts on blank lines and CRLF, and its offset may point at the line ends before the
/// record, so those are skipped first.
fn line_of(text: &str, offset: u64) -> usize {
    let bytes = text.as_bytes();
    let mut start = (offset as usize).min(bytes.len());
    while start < bytes.len() && matches!(bytes[start], b'\r' | b'\n') {
        start += 1;
    }
    1 + bytes[..start].iter().filter(|&&b| b == b'\n').count()
}

fn csv_error(path: &Path, text: &str, err: &csv::Error) -> Error {
    let location = err
        .position()
        .map_or(Location::File, |p| Location::Line(line_of(text, p.byte())));
    let message = match err.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("this line has {len} fields but the header has {expected_len}"),
        _ => err.to_string(),
    };
    Error::data(path, location, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ex(text: &str, label: &str, line: usize) -> RawExample {
        RawExample {
            text: text.into(),
            label: label.into(),
            line,
        }
    }

    #[test]
    fn tsv_with_extra_column_and_crlf() {
        let got = parse(
            Path::new("t.tsv"),
            "id\tlabel\ttext\r\n1\t1\tgood\r\n\r\n2\t0\tnot \"good\"\r\n",
            b'\t',
        )
        .unwrap();
        assert_eq!(got, [ex("good", "1", 2), ex("not \"good\"", "0", 4)]);
    }

    #[test]
    fn csv_with_quotes() {
        let got = parse(
            Path::new("t.csv"),
            "text,label\n\"Я плохой, а не хороший\",0\n",
            b',',
        )
        .unwrap();
        assert_eq!(got, [ex("Я плохой, а не хороший", "0", 2)]);
    }

    #[test]
    fn missing_column_names_what_was_found() {
        let err = parse(Path::new("t.tsv"), "text\tlabl\ngood\t1\n", b'\t').unwrap_err();
        assert_eq!(
            err.to_string(),
            "t.tsv:1: the header has no `label` column (found `text`, `labl`); \
             the header must name a `text` and a `label` column"
        );
    }

    #[test]
    fn header_only_and_ragged_rows() {
        let err = parse(Path::new("t.tsv"), "text\tlabel\n", b'\t').unwrap_err();
        assert_eq!(err.to_string(), "t.tsv: only a header line, no examples");
        let err = parse(Path::new("t.tsv"), "text\tlabel\ngood\t1\nbad\n", b'\t').unwrap_err();
        assert_eq!(
            err.to_string(),
            "t.tsv:3: this line has 1 fields but the header has 2"
        );
    }
}
