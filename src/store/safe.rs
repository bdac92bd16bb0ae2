//! What `sweep` writes into a results directory it writes only as regular files that it
//! creates itself, in directories that are really there: a symbolic link, a directory, a
//! FIFO or a file with other hard links where it would write is refused (exit 2, naming
//! the path), never opened through. So a link planted at `.sweep.lock`, at a temporary's
//! name, or in place of `runs/`, `plots/` or `slurm/`, cannot make it truncate, fill,
//! replace or remove a file elsewhere.
//!
//! Two things are allowed on purpose: the results directory itself may be a link (the user
//! named it with `--out`), and a link at a finished file's own name (`runs.csv`) is
//! replaced by the new file, as a rename does: the link goes, its target is not touched.

use std::fs::{File, OpenOptions};
use std::io::{ErrorKind, Read};
use std::path::Path;

use crate::error::{Error, Result};

/// What is at a path, without following a link there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Found {
    Nothing,
    File,
    Directory,
    /// A symbolic link, a FIFO, a socket, a device: in words.
    Other(&'static str),
}

fn found(path: &Path) -> Result<Found> {
    let meta = match std::fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(Found::Nothing),
        Err(e) => return Err(Error::io(path, e)),
    };
    let t = meta.file_type();
    Ok(if t.is_symlink() {
        Found::Other("a symbolic link")
    } else if t.is_file() {
        Found::File
    } else if t.is_dir() {
        Found::Directory
    } else {
        Found::Other("not a regular file (a FIFO, socket or device)")
    })
}

/// `path` is `what` where sweep writes a file of its own.
fn not_a_file(path: &Path, what: &str) -> Error {
    Error::Usage(format!(
        "{} is {what}; sweep only writes regular files it creates, and leaves this alone \
         (move it away, then run the command again)",
        path.display()
    ))
}

/// `path` is `what` where sweep keeps a folder of its own.
fn not_a_dir(path: &Path, what: &str) -> Error {
    Error::Usage(format!(
        "{} is {what}; sweep only writes into folders it creates inside a results \
         directory (the results directory itself may be a link), and leaves this alone \
         (move it away, then run the command again)",
        path.display()
    ))
}

/// Ok if `path` is a regular file or nothing: where sweep may put a file.
pub(crate) fn file_or_nothing(path: &Path) -> Result<()> {
    match found(path)? {
        Found::Nothing | Found::File => Ok(()),
        Found::Directory => Err(not_a_file(path, "a directory")),
        Found::Other(what) => Err(not_a_file(path, what)),
    }
}

/// Ok if `path` may be replaced by a rename: a regular file, a symbolic link (the link is
/// replaced, its target untouched) or nothing.
pub(crate) fn replaceable(path: &Path) -> Result<()> {
    match found(path)? {
        Found::Directory => Err(not_a_file(path, "a directory")),
        _ => Ok(()),
    }
}

/// Makes sweep's folder `path` (and any missing parent), or checks that the one there is
/// a real directory, not a link to one elsewhere.
pub(crate) fn dir(path: &Path) -> Result<()> {
    match found(path)? {
        Found::Directory => return Ok(()),
        Found::Nothing => {}
        Found::File => return Err(not_a_dir(path, "a file")),
        Found::Other(what) => return Err(not_a_dir(path, what)),
    }
    std::fs::create_dir_all(path).map_err(|e| Error::io(path, e))?;
    // A link put there meanwhile is refused all the same.
    match found(path)? {
        Found::Directory => Ok(()),
        Found::Nothing => Err(Error::io(path, ErrorKind::NotFound.into())),
        Found::File => Err(not_a_dir(path, "a file")),
        Found::Other(what) => Err(not_a_dir(path, what)),
    }
}

/// Whether sweep's folder `path` exists, refusing a link or anything else there: for
/// reading a folder that sweep may then write or remove files in.
pub(crate) fn existing_dir(path: &Path) -> Result<bool> {
    match found(path)? {
        Found::Directory => Ok(true),
        Found::Nothing => Ok(false),
        Found::File => Err(not_a_dir(path, "a file")),
        Found::Other(what) => Err(not_a_dir(path, what)),
    }
}

#[cfg(unix)]
fn flags(options: &mut OpenOptions, flags: i32) -> &mut OpenOptions {
    use std::os::unix::fs::OpenOptionsExt;
    options.custom_flags(flags)
}

#[cfg(not(unix))]
fn flags(options: &mut OpenOptions, _flags: i32) -> &mut OpenOptions {
    options
}

fn no_follow(options: &mut OpenOptions, extra: i32) -> &mut OpenOptions {
    flags(options, NOFOLLOW | extra)
}

#[cfg(unix)]
const NOFOLLOW: i32 = libc::O_NOFOLLOW;
#[cfg(not(unix))]
const NOFOLLOW: i32 = 0;
#[cfg(unix)]
const NONBLOCK: i32 = libc::O_NONBLOCK;
#[cfg(not(unix))]
const NONBLOCK: i32 = 0;

/// After an open of `path` failed with `e`: what is there, if that is why.
fn why_not(path: &Path, e: std::io::Error) -> Error {
    match file_or_nothing(path) {
        Err(refused) => refused,
        Ok(()) => Error::io(path, e),
    }
}

/// Creates the new, empty file `path` for writing, never opening anything that is already
/// there: a regular file left at this name (a temporary of a killed writer whose pid this
/// process now has) is removed first, anything else is refused.
pub(crate) fn create_new(path: &Path) -> Result<File> {
    let open = || no_follow(OpenOptions::new().write(true).create_new(true), 0).open(path);
    match open() {
        Ok(file) => return Ok(file),
        Err(e) if e.kind() != ErrorKind::AlreadyExists => return Err(why_not(path, e)),
        Err(_) => {}
    }
    match found(path)? {
        // Unlinking a name leaves any other name of the same file alone.
        Found::File | Found::Nothing => match std::fs::remove_file(path) {
            Err(e) if e.kind() != ErrorKind::NotFound => return Err(Error::io(path, e)),
            _ => {}
        },
        Found::Directory => return Err(not_a_file(path, "a directory")),
        Found::Other(what) => return Err(not_a_file(path, what)),
    }
    open().map_err(|e| why_not(path, e))
}

/// Opens (creating) the regular file `path` for reading and writing without truncating it:
/// the lock file. A link, a directory or anything but a regular file with no other name
/// is refused.
pub(crate) fn open_own(path: &Path) -> Result<File> {
    file_or_nothing(path)?;
    let file = no_follow(
        OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false),
        NONBLOCK,
    )
    .open(path)
    .map_err(|e| why_not(path, e))?;
    let meta = file.metadata().map_err(|e| Error::io(path, e))?;
    if !meta.is_file() {
        return Err(not_a_file(path, "not a regular file"));
    }
    if links(&meta) > 1 {
        return Err(not_a_file(
            path,
            "a file with other names (hard links) elsewhere",
        ));
    }
    Ok(file)
}

#[cfg(unix)]
fn links(meta: &std::fs::Metadata) -> u64 {
    use std::os::unix::fs::MetadataExt;
    meta.nlink()
}

#[cfg(not(unix))]
fn links(_meta: &std::fs::Metadata) -> u64 {
    1
}

/// The text of the small regular file `path` (a lock file naming its owner's pid), read
/// without following a link or waiting on a FIFO.
pub(crate) fn read_own(path: &Path) -> std::io::Result<String> {
    let mut file = no_follow(OpenOptions::new().read(true), NONBLOCK).open(path)?;
    if !file.metadata()?.is_file() {
        return Err(std::io::Error::other("not a regular file"));
    }
    let mut text = String::new();
    file.read_to_string(&mut text)?;
    Ok(text)
}

/// Opens the regular file at `path` (through a link to one) for reading: a FIFO, a device
/// or a directory there is an error, found without waiting on it. For the record logs.
pub(crate) fn open_read(path: &Path) -> std::io::Result<File> {
    let file = flags(OpenOptions::new().read(true), NONBLOCK).open(path)?;
    if !file.metadata()?.is_file() {
        return Err(std::io::Error::other(
            "not a regular file (a FIFO, a device or a directory)",
        ));
    }
    Ok(file)
}

/// The bytes of the regular file at `path` (through a link to one): a FIFO, a device or a
/// directory there is an error, found without waiting on it or reading it without end.
/// For the records, which every sweep reads.
pub(crate) fn read_regular(path: &Path) -> std::io::Result<Vec<u8>> {
    let mut file = flags(OpenOptions::new().read(true), NONBLOCK).open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(std::io::Error::other(
            "not a regular file (a FIFO, a device or a directory)",
        ));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.read_to_end(&mut bytes)?;
    Ok(bytes)
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::symlink;

    use super::*;

    #[test]
    fn a_new_file_is_never_opened_through_a_link_or_an_existing_name() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        std::fs::write(&victim, "precious").unwrap();
        let link = dir.path().join("link");
        symlink(&victim, &link).unwrap();
        let err = create_new(&link).unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert!(
            err.to_string().contains(&format!(
                "{} is a symbolic link; sweep only writes regular files it creates",
                link.display()
            )),
            "{err}"
        );
        // A dangling link too: creating through it would make a file at its target.
        let dangling = dir.path().join("dangling");
        symlink(dir.path().join("made"), &dangling).unwrap();
        assert!(create_new(&dangling).is_err());
        assert!(!dir.path().join("made").exists());
        // A hard link: its name is removed, the file it shares is not written.
        let hard = dir.path().join("hard");
        std::fs::hard_link(&victim, &hard).unwrap();
        use std::io::Write;
        create_new(&hard).unwrap().write_all(b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
        assert_eq!(std::fs::read_to_string(&hard).unwrap(), "new");
        let sub = dir.path().join("sub");
        std::fs::create_dir(&sub).unwrap();
        assert!(
            create_new(&sub)
                .unwrap_err()
                .to_string()
                .contains("is a directory")
        );
    }

    #[test]
    fn only_regular_files_are_read_and_never_waited_on() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo.json");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            // Without O_NONBLOCK the open would wait for a writer for ever.
            let err = read_regular(&fifo).unwrap_err();
            assert!(err.to_string().contains("not a regular file"), "{err}");
        }
        // (Not /dev/zero: a regression would read it until memory ran out.)
        let null = dir.path().join("null.json");
        symlink("/dev/null", &null).unwrap();
        assert!(read_regular(&null).is_err());
        let file = dir.path().join("r.json");
        std::fs::write(&file, "{}").unwrap();
        let link = dir.path().join("link.json");
        symlink(&file, &link).unwrap();
        assert_eq!(read_regular(&link).unwrap(), b"{}");
    }

    #[test]
    fn sweeps_folders_must_be_real_directories() {
        let dir = tempfile::tempdir().unwrap();
        let elsewhere = dir.path().join("elsewhere");
        std::fs::create_dir(&elsewhere).unwrap();
        let plots = dir.path().join("plots");
        symlink(&elsewhere, &plots).unwrap();
        let err = self::dir(&plots).unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert!(
            err.to_string()
                .contains(&format!("{} is a symbolic link", plots.display())),
            "{err}"
        );
        assert!(existing_dir(&plots).is_err());
        let made = dir.path().join("a/b");
        self::dir(&made).unwrap();
        assert!(made.is_dir());
        assert!(existing_dir(&made).unwrap());
        assert!(!existing_dir(&dir.path().join("none")).unwrap());
    }
}
