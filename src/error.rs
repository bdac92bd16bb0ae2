//! The one error type of the crate, and how each kind maps to an exit code.
//!
//! Every message a user sees is made here or passed through here: it names the file, the
//! line or key, the bad value and what is allowed. `main` prints it and exits with
//! [`Error::exit_code`]; nothing user-caused ever reaches a panic.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

/// Where in an input file a problem is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// The whole file.
    File,
    /// A 1-based line.
    Line(usize),
    /// A 1-based line and column.
    LineCol(usize, usize),
    /// A key of a TOML file, dotted (`grid.learning_rate`), with its line when known.
    Key(String, Option<usize>),
    /// A `--set KEY=VALUE` override of the file, as typed.
    Override(String),
}

/// Everything that can go wrong, sorted by who has to act on it.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A data file cannot be used as given (exit 2).
    #[error("{}: {message}", located(path, location))]
    Data {
        path: PathBuf,
        location: Location,
        message: String,
    },
    /// An experiment file cannot be used as given (exit 2).
    #[error("{}: {message}", located(path, location))]
    Experiment {
        path: PathBuf,
        location: Location,
        message: String,
    },
    /// Command-line arguments that parse but make no sense together (exit 2).
    #[error("{0}")]
    Usage(String),
    /// Reading or writing a file failed: the machine, not the input (exit 1).
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },
    /// Training finished but some runs could not be completed or checked (exit 1).
    #[error("{0}")]
    Incomplete(String),
    /// Ctrl-C stopped the sweep (exit 130): what was saved is kept.
    #[error(
        "interrupted: {saved} run(s) finished and saved in this session are kept, {dropped} in \
         flight were dropped; run the same command again to go on"
    )]
    Interrupted { saved: usize, dropped: usize },
}

impl Error {
    /// The process exit code for this error: 2 for anything the user can fix in the input,
    /// 1 for failures while running, 130 for an interrupt (as a shell reports SIGINT).
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Data { .. } | Error::Experiment { .. } | Error::Usage(_) => 2,
            Error::Io { .. } | Error::Incomplete(_) => 1,
            Error::Interrupted { .. } => 130,
        }
    }

    /// Whether this is a failure (printed as `error:`), rather than the user's own stop.
    pub fn is_failure(&self) -> bool {
        !matches!(self, Error::Interrupted { .. })
    }

    /// A data error at `path` and `location`.
    pub fn data(path: &Path, location: Location, message: impl Into<String>) -> Error {
        Error::Data {
            path: path.to_path_buf(),
            location,
            message: message.into(),
        }
    }

    /// An experiment error at `path` and `location`.
    pub fn experiment(path: &Path, location: Location, message: impl Into<String>) -> Error {
        Error::Experiment {
            path: path.to_path_buf(),
            location,
            message: message.into(),
        }
    }

    /// An I/O error on `path`.
    pub fn io(path: &Path, source: io::Error) -> Error {
        Error::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

fn located(path: &Path, location: &Location) -> String {
    Located(path, location).to_string()
}

struct Located<'a>(&'a Path, &'a Location);

impl fmt::Display for Located<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = self.0.display();
        match self.1 {
            Location::File => write!(f, "{path}"),
            Location::Line(line) => write!(f, "{path}:{line}"),
            Location::LineCol(line, col) => write!(f, "{path}:{line}:{col}"),
            Location::Key(key, Some(line)) => write!(f, "{path}:{line}: key `{key}`"),
            Location::Key(key, None) => write!(f, "{path}: key `{key}`"),
            Location::Override(text) => write!(f, "{path}: --set {text}"),
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A user's value inside a message: in backticks, cut to 40 characters so that a 100 MB
/// line never becomes a 100 MB message.
pub fn quoted(value: &str) -> String {
    const MAX: usize = 40;
    match value.char_indices().nth(MAX) {
        Some((cut, _)) => format!(
            "`{}...` ({} characters)",
            &value[..cut],
            value.chars().count()
        ),
        None => format!("`{value}`"),
    }
}

/// A list inside a message, at most ten items shown.
pub fn listed(items: &[String]) -> String {
    let mut shown: Vec<String> = items.iter().take(10).cloned().collect();
    if items.len() > 10 {
        shown.push(format!("... ({} in all)", items.len()));
    }
    shown.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_interrupt_exits_130_and_is_not_printed_as_a_failure() {
        let e = Error::Interrupted {
            saved: 3,
            dropped: 1,
        };
        assert_eq!(e.exit_code(), 130);
        assert!(!e.is_failure());
        assert_eq!(
            e.to_string(),
            "interrupted: 3 run(s) finished and saved in this session are kept, 1 in flight \
             were dropped; run the same command again to go on"
        );
        assert!(Error::Usage("x".into()).is_failure());
    }

    #[test]
    fn messages_name_file_and_place() {
        let e = Error::data(Path::new("a.tsv"), Location::Line(3), "bad label `x`");
        assert_eq!(e.to_string(), "a.tsv:3: bad label `x`");
        assert_eq!(e.exit_code(), 2);
        let e = Error::experiment(
            Path::new("e.toml"),
            Location::Key("grid.clip".into(), Some(7)),
            "must be > 0",
        );
        assert_eq!(e.to_string(), "e.toml:7: key `grid.clip`: must be > 0");
        let e = Error::io(Path::new("out"), io::Error::other("disk full"));
        assert_eq!(e.to_string(), "out: disk full");
        assert_eq!(e.exit_code(), 1);
    }

    #[test]
    fn long_values_are_cut() {
        assert_eq!(quoted("good"), "`good`");
        let long = "x".repeat(100);
        assert_eq!(
            quoted(&long),
            format!("`{}...` (100 characters)", "x".repeat(40))
        );
        let many: Vec<String> = (0..12).map(|i| i.to_string()).collect();
        assert_eq!(
            listed(&many),
            "0, 1, 2, 3, 4, 5, 6, 7, 8, 9, ... (12 in all)"
        );
    }
}
