//! The library's one error type. Every variant names the path or ID involved, and its
//! message says what to do next.

use std::fmt;
use std::io;
use std::path::PathBuf;

#[derive(Debug)]
pub enum Error {
    /// A file operation failed; the message from fs-err already names the path.
    Io(io::Error),
    /// `.learnings` exists but is not a directory.
    NotADirectory(PathBuf),
    /// A log file holds bytes that are not UTF-8.
    NotUtf8 { path: PathBuf, offset: usize },
    /// A log file is larger than `max_log_bytes`.
    TooLarge {
        path: PathBuf,
        size: u64,
        limit: u64,
    },
    /// No entry has this ID.
    UnknownId(String),
    /// The text does not have the shape of an entry ID.
    BadId(String),
    /// Several entries share this ID, so an edit would be ambiguous.
    DuplicateId {
        id: String,
        path: PathBuf,
        lines: Vec<usize>,
    },
    /// `config.toml` could not be read.
    Config { path: PathBuf, message: String },
    /// An argument's value is not acceptable (a usage error).
    Invalid(String),
    /// The operation is not allowed in the entry's present state.
    Refused(String),
}

impl Error {
    /// 2 for usage errors, 1 for everything refused or failed (SPEC 9).
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::BadId(_) | Error::Invalid(_) => 2,
            _ => 1,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Io(e) => write!(f, "{e}"),
            Error::NotADirectory(p) => write!(
                f,
                "{} is not a directory; move it aside, then run `evolver init`",
                p.display()
            ),
            Error::NotUtf8 { path, offset } => write!(
                f,
                "{} is not valid UTF-8 (byte {offset}); fix or convert that byte, nothing was changed",
                path.display()
            ),
            Error::TooLarge { path, size, limit } => write!(
                f,
                "{} is {size} bytes, over the limit of {limit} (`max_log_bytes` in .learnings/config.toml); archive old entries, nothing was changed",
                path.display()
            ),
            Error::UnknownId(id) => {
                write!(
                    f,
                    "no entry {id} in .learnings/; `evolver list` shows the IDs"
                )
            }
            Error::BadId(id) => write!(
                f,
                "`{id}` is not an entry ID (expected TYPE-YYYYMMDD-SEQ, e.g. LRN-20261122-001)"
            ),
            Error::DuplicateId { id, path, lines } => {
                let lines: Vec<String> = lines.iter().map(ToString::to_string).collect();
                write!(
                    f,
                    "{id} appears {} times in {} (lines {}); give the copies distinct IDs first",
                    lines.len(),
                    path.display(),
                    lines.join(", ")
                )
            }
            Error::Config { path, message } => {
                write!(f, "{}: {message}", path.display())
            }
            Error::Invalid(message) | Error::Refused(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for Error {}

impl From<io::Error> for Error {
    fn from(e: io::Error) -> Error {
        Error::Io(e)
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
