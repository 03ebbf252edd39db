//! Every read and write of the `.learnings/` files.
//!
//! All writers take one exclusive lock on `.learnings/.lock` (readers a shared one), so
//! agents, sub-agents and hooks never interleave. An append is one `write` of the whole
//! entry; before it, the file's length goes into a small journal, so an append cut short
//! by a crash is rolled back by the next writer or reader instead of leaving half an entry.
//! A rewrite (an edit of one entry) goes to a temporary file that is renamed over the log,
//! so the log is always either the old bytes or the new ones.

use std::io::Write;
use std::path::{Path, PathBuf};

use fs_err::{File, OpenOptions};

use crate::error::{Error, Result};
use crate::format::{Document, Entry, Kind};
use crate::store::{Config, sha256_hex};

const LOCK: &str = ".lock";
const JOURNAL: &str = ".append-journal";

/// The `.learnings/` folder of one project.
#[derive(Debug, Clone)]
pub struct Store {
    root: PathBuf,
    dir: PathBuf,
    config: Config,
    /// How long a writer waits for the lock; `None` waits as long as it takes.
    lock_wait: Option<std::time::Duration>,
}

/// A log file as loaded for writing: its parsed bytes and whether it exists yet.
#[derive(Debug)]
pub struct Log {
    pub kind: Kind,
    pub doc: Document,
    pub exists: bool,
}

impl Store {
    /// Opens the store of the project at `root`. Nothing is created.
    pub fn open(root: PathBuf) -> Result<Store> {
        let dir = root.join(".learnings");
        let config = match std::fs::metadata(&dir) {
            Ok(m) if !m.is_dir() => return Err(Error::NotADirectory(dir)),
            Ok(_) => Config::load(&dir.join("config.toml"))?,
            Err(_) => Config::default(),
        };
        Ok(Store {
            root,
            dir,
            config,
            lock_wait: None,
        })
    }

    /// A store whose writers give up after `wait` instead of waiting for the lock: a hook
    /// must not hold up the agent behind a long rewrite.
    pub fn with_lock_wait(mut self, wait: std::time::Duration) -> Store {
        self.lock_wait = Some(wait);
        self
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub fn path(&self, kind: Kind) -> PathBuf {
        self.dir.join(kind.file_name())
    }

    pub fn exists(&self) -> bool {
        self.dir.is_dir()
    }

    /// Creates `.learnings/` and whichever log files are missing, with their headers.
    /// Returns the files it created.
    pub fn init(&self) -> Result<Vec<PathBuf>> {
        self.write(|w| {
            let mut created = Vec::new();
            for kind in Kind::ALL {
                let path = w.store.path(kind);
                let made = OpenOptions::new().write(true).create_new(true).open(&path);
                match made {
                    Ok(mut f) => {
                        f.write_all(kind.file_header().as_bytes())?;
                        created.push(path);
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                    Err(e) => return Err(e.into()),
                }
            }
            Ok(created)
        })
    }

    /// Reads one log under a shared lock. `None` when the file does not exist.
    pub fn read(&self, kind: Kind) -> Result<Option<Document>> {
        if !self.exists() {
            return Ok(None);
        }
        if self.dir.join(JOURNAL).exists() {
            // A writer died mid-append: repair first, if we may write here.
            if let Ok(log) = self.write(|w| w.load(kind)) {
                return Ok(log.exists.then_some(log.doc));
            }
        }
        let _lock = self.lock_shared();
        let log = self.load(kind)?;
        Ok(log.exists.then_some(log.doc))
    }

    /// Reads one log as it is, without a lock and without repairing anything: for a reader
    /// that must neither write nor wait (the activator). A rename is atomic, so it sees the
    /// old file or the new one; at worst it sees part of an append still being written.
    pub fn peek(&self, kind: Kind) -> Result<Option<Document>> {
        if !self.exists() {
            return Ok(None);
        }
        let log = self.load(kind)?;
        Ok(log.exists.then_some(log.doc))
    }

    /// Runs `f` holding the exclusive lock, after repairing what a crashed writer left.
    pub fn write<T>(&self, f: impl FnOnce(&mut Writer<'_>) -> Result<T>) -> Result<T> {
        fs_err::create_dir_all(&self.dir)?;
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(self.dir.join(LOCK))?;
        match self.lock_wait {
            None => lock.file().lock()?,
            Some(wait) => {
                let start = std::time::Instant::now();
                loop {
                    match lock.file().try_lock() {
                        Ok(()) => break,
                        Err(std::fs::TryLockError::WouldBlock) if start.elapsed() < wait => {
                            std::thread::sleep(std::time::Duration::from_millis(2));
                        }
                        Err(std::fs::TryLockError::WouldBlock) => {
                            return Err(Error::Refused(format!(
                                "{} stayed locked for {} ms; nothing was written",
                                self.dir.join(LOCK).display(),
                                wait.as_millis()
                            )));
                        }
                        Err(std::fs::TryLockError::Error(e)) => return Err(e.into()),
                    }
                }
            }
        }
        let mut writer = Writer {
            store: self,
            _lock: lock,
        };
        writer.recover()?;
        f(&mut writer)
    }

    /// A shared lock when the lock file can be had; a read-only checkout reads without one,
    /// since no writer can be at work there.
    fn lock_shared(&self) -> Option<std::fs::File> {
        let file = std::fs::File::open(self.dir.join(LOCK)).ok()?;
        file.lock_shared().ok()?;
        Some(file)
    }

    fn load(&self, kind: Kind) -> Result<Log> {
        let path = self.path(kind);
        let mut file = match File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Log {
                    kind,
                    doc: Document::parse(Vec::new()),
                    exists: false,
                });
            }
            Err(e) => return Err(e.into()),
        };
        let size = file.metadata()?.len();
        if size > self.config.max_log_bytes {
            return Err(Error::TooLarge {
                path,
                size,
                limit: self.config.max_log_bytes,
            });
        }
        let mut bytes = Vec::with_capacity(size as usize);
        std::io::Read::read_to_end(&mut file, &mut bytes)?;
        if let Err(e) = std::str::from_utf8(&bytes) {
            return Err(Error::NotUtf8 {
                path,
                offset: e.valid_up_to(),
            });
        }
        Ok(Log {
            kind,
            doc: Document::parse(bytes),
            exists: true,
        })
    }

    /// Every entry with this ID, searching its own kind's file first.
    pub fn find(&self, id: &str) -> Result<Vec<(Kind, usize, String)>> {
        let mut found = Vec::new();
        for kind in search_order(id)? {
            if let Some(doc) = self.read(kind)? {
                for span in doc.find(id) {
                    let text = String::from_utf8_lossy(doc.entry_bytes(span)).into_owned();
                    found.push((kind, span.line, text));
                }
            }
        }
        Ok(found)
    }

    /// Edits the one entry with this ID: `f` gets the entry and returns its new text.
    /// Refuses an unknown ID and an ID that appears more than once.
    /// The change is recorded in the audit chain as `updated`, with the entry's new status and
    /// the SHA-256 of its new text.
    pub fn update(
        &self,
        id: &str,
        now: chrono::DateTime<chrono::Utc>,
        f: impl FnOnce(&Entry<'_>) -> Result<String>,
    ) -> Result<Kind> {
        search_order(id)?;
        if !self.exists() {
            return Err(Error::UnknownId(id.into()));
        }
        self.write(|w| w.update(id, now, f))
    }
}

/// The files to search for an ID: its own kind's first, then the others (the wild has
/// entries filed in the wrong log).
fn search_order(id: &str) -> Result<Vec<Kind>> {
    let parsed: crate::format::EntryId = id.parse().map_err(|()| Error::BadId(id.into()))?;
    let own = parsed.kind();
    let mut order = vec![own];
    order.extend(Kind::ALL.into_iter().filter(|k| *k != own));
    Ok(order)
}

/// The end of a log, which is all an append needs to know.
#[derive(Debug, Clone)]
pub(crate) struct Tail {
    pub kind: Kind,
    pub len: u64,
    pub ends_with_newline: bool,
    pub crlf: bool,
    /// What closes a fence or comment the file leaves open.
    pub closer: Option<String>,
}

/// The holder of the exclusive lock; the only way to change a log.
pub struct Writer<'s> {
    store: &'s Store,
    _lock: File,
}

impl Writer<'_> {
    pub fn store(&self) -> &Store {
        self.store
    }

    pub fn load(&self, kind: Kind) -> Result<Log> {
        self.store.load(kind)
    }

    /// Appends `entry` (which ends in a newline) as `"\n" + entry`, with the file's header
    /// first when the file is new or empty, and in the file's own line endings.
    pub fn append(&mut self, log: &Log, entry: &str) -> Result<()> {
        let old = log.doc.bytes();
        let tail = Tail {
            kind: log.kind,
            len: old.len() as u64,
            ends_with_newline: old.ends_with(b"\n"),
            crlf: old
                .iter()
                .position(|&b| b == b'\n')
                .is_some_and(|i| i > 0 && old[i - 1] == b'\r'),
            closer: log.doc.unclosed().map(str::to_owned),
        };
        self.append_at(&tail, entry)
    }

    /// [`Writer::append`] to a log known only by its end.
    pub(crate) fn append_at(&mut self, tail: &Tail, entry: &str) -> Result<()> {
        let path = self.store.path(tail.kind);
        let mut text = String::with_capacity(entry.len() + 256);
        if tail.len == 0 {
            text.push_str(tail.kind.file_header());
        } else {
            if !tail.ends_with_newline {
                text.push('\n');
            }
            if let Some(closer) = &tail.closer {
                text.push_str(closer);
                text.push('\n');
            }
        }
        text.push('\n');
        text.push_str(entry);
        if tail.crlf {
            text = text.replace("\r\n", "\n").replace('\n', "\r\n");
        }
        let journal = self.store.dir.join(JOURNAL);
        fs_err::write(
            &journal,
            format!("{}\t{}\n", tail.kind.file_name(), tail.len),
        )?;
        let mut file = OpenOptions::new().append(true).create(true).open(&path)?;
        file.write_all(text.as_bytes())?;
        drop(file);
        fs_err::remove_file(&journal)?;
        Ok(())
    }

    /// Replaces entry `index` with `new` and rewrites the log, refusing an edit that would
    /// move where any entry begins or ends (a hand-made file can leave a fence or comment
    /// open in a way only a person should untangle).
    pub fn edit(&mut self, log: &mut Log, index: usize, new: &str) -> Result<()> {
        let before: Vec<crate::format::EntryId> =
            log.doc.entries().iter().map(|s| s.id.clone()).collect();
        log.doc.replace_entry(index, new.as_bytes());
        let same = log.doc.entries().iter().map(|s| &s.id).eq(before.iter());
        if !same {
            return Err(Error::Refused(format!(
                "editing {} would change where entries begin or end in {}; edit it by hand",
                before[index],
                self.store.path(log.kind).display()
            )));
        }
        self.replace(log)
    }

    /// Replaces the log with the document's bytes through a temporary file and a rename.
    pub fn replace(&mut self, log: &Log) -> Result<()> {
        write_atomic(&self.store.path(log.kind), log.doc.bytes())
    }

    /// The text of the one entry with this ID, read under the lock.
    pub fn entry_text(&self, id: &str) -> Result<(Kind, String)> {
        for kind in search_order(id)? {
            let log = self.load(kind)?;
            let hits: Vec<&crate::format::Span> = log.doc.find(id).collect();
            match hits.as_slice() {
                [] => continue,
                [span] => {
                    let text = std::str::from_utf8(log.doc.entry_bytes(span))
                        .map_err(|_| Error::Invalid(format!("{id} is not valid UTF-8")))?;
                    return Ok((kind, text.to_owned()));
                }
                many => {
                    return Err(Error::DuplicateId {
                        id: id.into(),
                        path: self.store.path(kind),
                        lines: many.iter().map(|s| s.line).collect(),
                    });
                }
            }
        }
        Err(Error::UnknownId(id.into()))
    }

    /// [`Store::update`] under a lock already held.
    pub fn update(
        &mut self,
        id: &str,
        now: chrono::DateTime<chrono::Utc>,
        f: impl FnOnce(&Entry<'_>) -> Result<String>,
    ) -> Result<Kind> {
        for kind in search_order(id)? {
            let mut log = self.load(kind)?;
            let hits: Vec<usize> = log
                .doc
                .entries()
                .iter()
                .enumerate()
                .filter(|(_, s)| s.id.as_str() == id)
                .map(|(i, _)| i)
                .collect();
            match hits.as_slice() {
                [] => continue,
                [index] => {
                    let span = &log.doc.entries()[*index];
                    let text = std::str::from_utf8(log.doc.entry_bytes(span))
                        .map_err(|_| Error::Invalid(format!("{id} is not valid UTF-8")))?;
                    let entry = Entry::parse(text).ok_or_else(|| Error::UnknownId(id.into()))?;
                    let new = f(&entry)?;
                    self.edit(&mut log, *index, &new)?;
                    let status = Entry::parse(&new).and_then(|e| e.status().map(str::to_owned));
                    let data = serde_json::json!({
                        "file": kind.file_name(),
                        "status": status,
                        "entry_sha256": sha256_hex(new.as_bytes()),
                    });
                    self.record(now, "updated", id, data)?;
                    return Ok(kind);
                }
                many => {
                    return Err(Error::DuplicateId {
                        id: id.into(),
                        path: self.store.path(kind),
                        lines: many.iter().map(|&i| log.doc.entries()[i].line).collect(),
                    });
                }
            }
        }
        Err(Error::UnknownId(id.into()))
    }

    /// Appends an event to the audit chain (`.learnings/events.jsonl`, SPEC 6.7).
    pub fn record(
        &mut self,
        now: chrono::DateTime<chrono::Utc>,
        action: &str,
        id: &str,
        data: serde_json::Value,
    ) -> Result<()> {
        let ts = now.format("%Y-%m-%dT%H:%M:%SZ").to_string();
        crate::store::audit::append(
            &self.store.dir.join(crate::store::audit::EVENTS),
            &ts,
            action,
            id,
            data,
        )
    }

    /// Rolls back an append cut short by a crash, and removes a rewrite's leftover.
    fn recover(&mut self) -> Result<()> {
        let journal = self.store.dir.join(JOURNAL);
        match fs_err::read_to_string(&journal) {
            Ok(text) => {
                // A journal without its final newline was itself cut short: the append it
                // announced never started.
                let record = text.strip_suffix('\n').and_then(|l| l.split_once('\t'));
                if let Some((name, len)) = record {
                    let kind = Kind::ALL.into_iter().find(|k| k.file_name() == name);
                    if let (Some(kind), Ok(len)) = (kind, len.parse::<u64>()) {
                        let path = self.store.path(kind);
                        if let Ok(file) = OpenOptions::new().write(true).open(&path)
                            && file.metadata()?.len() > len
                        {
                            file.set_len(len)?;
                        }
                    }
                }
                fs_err::remove_file(&journal)?;
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e.into()),
        }
        for kind in Kind::ALL {
            let tmp = temp_path(&self.store.path(kind));
            if tmp.exists() {
                fs_err::remove_file(&tmp)?;
            }
        }
        Ok(())
    }
}

/// Replaces the file at `path` with `bytes` through a temporary file and a rename, keeping
/// its permissions. Through a symbolic link, the file it points to is replaced and the link
/// survives.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let target = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned());
    let tmp = temp_path(&target);
    let mut file = File::create(&tmp)?;
    file.write_all(bytes)?;
    if let Ok(meta) = std::fs::metadata(&target) {
        file.set_permissions(meta.permissions())?;
    }
    drop(file);
    fs_err::rename(&tmp, &target)?;
    Ok(())
}

fn temp_path(target: &Path) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    target.with_file_name(format!(".{name}.evolver-tmp"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_torn_append_is_rolled_back_by_the_next_writer() {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::open(tmp.path().to_owned()).unwrap();
        store.init().unwrap();
        let path = store.path(Kind::Error);
        let before = std::fs::read(&path).unwrap();
        let mut torn = before.clone();
        torn.extend_from_slice(b"\n## [ERR-20261122-001] half");
        std::fs::write(&path, &torn).unwrap();
        std::fs::write(
            store.dir().join(JOURNAL),
            format!("ERRORS.md\t{}\n", before.len()),
        )
        .unwrap();
        assert!(
            store
                .read(Kind::Error)
                .unwrap()
                .unwrap()
                .entries()
                .is_empty()
        );
        assert_eq!(std::fs::read(&path).unwrap(), before);
        assert!(!store.dir().join(JOURNAL).exists());
    }

    #[test]
    fn a_cut_journal_changes_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::open(tmp.path().to_owned()).unwrap();
        store.init().unwrap();
        let path = store.path(Kind::Error);
        let before = std::fs::read(&path).unwrap();
        std::fs::write(store.dir().join(JOURNAL), "ERRORS.md\t1").unwrap();
        store.write(|_| Ok(())).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), before);
    }
}
