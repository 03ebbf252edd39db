//! The three kinds of entry and the log file each one lives in.

use std::fmt;

/// What an entry records: a lesson, a command failure or a wanted feature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Learning,
    Error,
    Feature,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::Learning, Kind::Error, Kind::Feature];

    /// The ID prefix: `LRN`, `ERR` or `FEAT`.
    pub fn prefix(self) -> &'static str {
        match self {
            Kind::Learning => "LRN",
            Kind::Error => "ERR",
            Kind::Feature => "FEAT",
        }
    }

    /// The file under `.learnings/` that holds entries of this kind.
    pub fn file_name(self) -> &'static str {
        match self {
            Kind::Learning => "LEARNINGS.md",
            Kind::Error => "ERRORS.md",
            Kind::Feature => "FEATURE_REQUESTS.md",
        }
    }

    /// The bytes a missing log file is created with (SPEC 3).
    pub fn file_header(self) -> &'static str {
        match self {
            Kind::Learning => include_str!("../../assets/headers/LEARNINGS.md"),
            Kind::Error => include_str!("../../assets/headers/ERRORS.md"),
            Kind::Feature => include_str!("../../assets/headers/FEATURE_REQUESTS.md"),
        }
    }

    /// The lower-case short name used on the command line and in JSON.
    pub fn short(self) -> &'static str {
        match self {
            Kind::Learning => "lrn",
            Kind::Error => "err",
            Kind::Feature => "feat",
        }
    }

    pub fn from_prefix(prefix: &[u8]) -> Option<Kind> {
        match prefix {
            b"LRN" => Some(Kind::Learning),
            b"ERR" => Some(Kind::Error),
            b"FEAT" => Some(Kind::Feature),
            _ => None,
        }
    }
}

/// In JSON a kind is its short name: `"lrn"`, `"err"` or `"feat"`.
impl serde::Serialize for Kind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.short())
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.short())
    }
}
