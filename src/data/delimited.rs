//! The TSV/CSV loader: a header line naming a `text` and a `label` column (any order, other
//! columns ignored), then one example per line.

use std::path::Path;

use super::lines::{LineIndex, scanned};
use super::raw::RawExample;
use crate::error::{Error, Location, Result, quoted};

/// Parses delimited `text` (already checked UTF-8) from `path`.
pub(super) fn parse(path: &Path, text: &str, delimiter: u8) -> Result<Vec<RawExample>> {
    let lines = LineIndex::new(text);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        // A tab-separated phrase may hold a lone `"`; only CSV uses quoting.
        .quoting(delimiter != b'\t')
        .has_headers(true)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| csv_error(path, text, &lines, &e))?
        .clone();
    // The column named `name` (any case), which must be named once: of two, which one holds
    // the examples is anyone's guess.
    let column = |name: &str| {
        let mut named = headers
            .iter()
            .enumerate()
            .filter(|(_, h)| h.trim().eq_ignore_ascii_case(name))
            .map(|(i, _)| i);
        match (named.next(), named.next()) {
            (Some(first), None) => Ok(first),
            (Some(first), Some(again)) => Err(Error::data(
                path,
                Location::Line(1),
                format!(
                    "the header names a `{name}` column twice (columns {} and {}); each once",
                    first + 1,
                    again + 1
                ),
            )),
            (None, _) => {
                let found: Vec<_> = headers.iter().map(quoted).collect();
                Err(Error::data(
                    path,
                    Location::Line(1),
                    format!(
                        "the header has no `{name}` column (found {}); the header must name \
                         a `text` and a `label` column",
                        found.join(", ")
                    ),
                ))
            }
        }
    };
    let (text_col, label_col) = (column("text")?, column("label")?);

    let mut examples = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| csv_error(path, text, &lines, &e))?;
        let line = record
            .position()
            .map_or(0, |p| line_of(text, &lines, p.byte()));
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
/// record, so those are skipped first (each only once in a file: they lie between this
/// record and the one before).
fn line_of(text: &str, lines: &LineIndex, offset: u64) -> usize {
    let bytes = text.as_bytes();
    let from = (offset as usize).min(bytes.len());
    let skipped = bytes[from..]
        .iter()
        .take_while(|&&b| matches!(b, b'\r' | b'\n'))
        .count();
    scanned(skipped);
    lines.line(from + skipped)
}

fn csv_error(path: &Path, text: &str, lines: &LineIndex, err: &csv::Error) -> Error {
    let location = err.position().map_or(Location::File, |p| {
        Location::Line(line_of(text, lines, p.byte()))
    });
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
    use super::super::lines::take_scanned;
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
    fn line_numbers_read_the_text_once() {
        // Regression (issue #22): each record's line was found by counting the line ends
        // from the start of the text, so loading was quadratic in the file's lines (80,000
        // took two minutes). Counted, not timed: the bytes read to find line numbers, with
        // blank lines and CRLF between the records, and a ragged last line for the error's.
        let mut text = String::from("text\tlabel\r\n");
        for i in 0..2000 {
            text += &format!("phrase {i}\t{}\r\n", i % 2);
            if i % 7 == 0 {
                text += "\r\n\n";
            }
        }
        take_scanned();
        let got = parse(Path::new("t.tsv"), &text, b'\t').unwrap();
        assert_eq!(got.len(), 2000);
        assert_eq!(got[1], ex("phrase 1", "1", 5));
        assert_eq!(got[1999].line, 2 + 1999 + 2 * 286);
        let scanned = take_scanned();
        assert!(
            scanned <= 2 * text.len(),
            "{scanned} bytes read for {}",
            text.len()
        );

        text += "ragged\n";
        let err = parse(Path::new("t.tsv"), &text, b'\t').unwrap_err();
        assert!(
            err.to_string()
                .starts_with("t.tsv:2574: this line has 1 fields"),
            "{err}"
        );
        let scanned = take_scanned();
        assert!(
            scanned <= 2 * text.len(),
            "{scanned} bytes read for {}",
            text.len()
        );
    }

    #[test]
    fn a_column_named_twice_is_refused() {
        // Regression (#22): the first of two `label` columns was silently taken.
        let err = parse(
            Path::new("t.tsv"),
            "text\tlabel\tlabel\nhi\tpos\tneg\n",
            b'\t',
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "t.tsv:1: the header names a `label` column twice (columns 2 and 3); each once"
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
