//! Whether a log is still the file an index was made from.
//!
//! An index names its log by length, modification and change times, inode and device. A write
//! of the log changes at least one of them, except a write of the same length within the same
//! tick of a file system clock that keeps coarse times. So an index is only trusted when the
//! file system's clock had already moved past the log's times before the log was looked at
//! ("settled"): any later write then carries a later time. An index that is not settled is
//! never written; the next reader reads the logs and makes a settled one.

use std::io::Write;
use std::path::Path;

use crate::error::Result;

/// A time as the file system keeps it: seconds and nanoseconds.
pub(crate) type FsTime = (i64, u32);

/// What an index knows of its log's identity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Stamp {
    pub len: u64,
    pub mtime: FsTime,
    pub ctime: FsTime,
    pub ino: u64,
    pub dev: u64,
}

impl Stamp {
    /// The stamp of the file at `path` as it is now, through symbolic links.
    pub(crate) fn of(path: &Path) -> std::io::Result<Stamp> {
        Ok(Stamp::from_meta(&std::fs::metadata(path)?))
    }

    #[cfg(unix)]
    pub(crate) fn from_meta(m: &std::fs::Metadata) -> Stamp {
        use std::os::unix::fs::MetadataExt;
        Stamp {
            len: m.len(),
            mtime: (m.mtime(), m.mtime_nsec() as u32),
            ctime: (m.ctime(), m.ctime_nsec() as u32),
            ino: m.ino(),
            dev: m.dev(),
        }
    }

    #[cfg(not(unix))]
    pub(crate) fn from_meta(m: &std::fs::Metadata) -> Stamp {
        let t = m
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or((0, 0), |d| (d.as_secs() as i64, d.subsec_nanos()));
        Stamp {
            len: m.len(),
            mtime: t,
            ctime: t,
            ino: 0,
            dev: 0,
        }
    }

    /// Whether every later change of the log must show in its stamp: both of its times are
    /// older than `now`, a time the file system gave out before the log was looked at.
    pub(crate) fn settled_before(&self, now: FsTime) -> bool {
        self.mtime < now && self.ctime < now
    }
}

/// Creates (or truncates) the file at `tmp` and learns the file system's clock from it: the
/// time of a write made after its first time was read, which file systems with fine-grained
/// times must give a later value than any time they handed out before.
pub(crate) fn clock_file(tmp: &Path) -> Result<(fs_err::File, FsTime)> {
    let mut file = fs_err::File::create(tmp)?;
    file.metadata()?;
    file.write_all(b"\0")?;
    let meta = file.metadata()?;
    let stamp = Stamp::from_meta(&meta);
    Ok((file, stamp.mtime.max(stamp.ctime)))
}
