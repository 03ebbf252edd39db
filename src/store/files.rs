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
use crate::store::index::{self, Index};
use crate::store::{Config, sha256_hex};

const LOCK: &str = ".lock";
const JOURNAL: &str = ".append-journal";
/// Before an entry is rewritten in place: the log, offset and length, then the old bytes.
const EDIT_JOURNAL: &str = ".edit-journal";

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
                        w.reindex(kind);
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
        if self.dir.join(JOURNAL).exists() || self.dir.join(EDIT_JOURNAL).exists() {
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
            indexes: Default::default(),
        };
        writer.recover()?;
        let result = f(&mut writer);
        // The index follows every log written, whether or not `f` went on to fail. It is a
        // cache: when it cannot be kept it is removed, and the write stands.
        writer.keep_indexes();
        result
    }

    /// Runs `f` holding the exclusive lock only if it is free right now, and only when no
    /// append is waiting to be rolled back: for a reader that may refresh the index but must
    /// neither wait nor repair. `None` when the lock was busy.
    pub(crate) fn try_write<T>(
        &self,
        f: impl FnOnce(&mut Writer<'_>) -> Result<T>,
    ) -> Result<Option<T>> {
        if !self.dir.is_dir()
            || self.dir.join(JOURNAL).exists()
            || self.dir.join(EDIT_JOURNAL).exists()
        {
            return Ok(None);
        }
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(self.dir.join(LOCK))?;
        if lock.file().try_lock().is_err() {
            return Ok(None);
        }
        let mut writer = Writer {
            store: self,
            _lock: lock,
            indexes: Default::default(),
        };
        let result = f(&mut writer);
        writer.keep_indexes();
        result.map(Some)
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
    /// What this writer knows of each log's index, in [`Kind::ALL`] order.
    indexes: [IndexState; 3],
}

/// A log's index during one write.
#[derive(Debug, Default)]
enum IndexState {
    /// Not looked at, and the log not written.
    #[default]
    Untouched,
    /// Loaded fresh (and kept fresh through every write since); `true` once it changed.
    Fresh(Box<Index>, bool),
    /// The log was written in a way the index did not follow: it is made anew at the end.
    Dirty,
}

fn slot(kind: Kind) -> usize {
    Kind::ALL.iter().position(|k| *k == kind).expect("a kind")
}

impl Writer<'_> {
    pub fn store(&self) -> &Store {
        self.store
    }

    /// The index of `kind`'s log, when it is fresh.
    pub(crate) fn index(&mut self, kind: Kind) -> Option<&Index> {
        let state = &mut self.indexes[slot(kind)];
        if matches!(state, IndexState::Untouched) {
            if let Some(found) = Index::load(&self.store.dir, kind) {
                *state = IndexState::Fresh(Box::new(found), false);
            } else {
                // Made anew at the end, so that the next hook finds it.
                *state = IndexState::Dirty;
            }
        }
        match state {
            IndexState::Fresh(index, _) => Some(index),
            _ => None,
        }
    }

    /// Lets the index follow a change made to `kind`'s log: `change` updates it when it is
    /// fresh; without a fresh index the log is marked for a full indexing at the end.
    /// `change` returns false when it cannot follow, which also marks the log.
    fn follow(&mut self, kind: Kind, change: impl FnOnce(&mut Index) -> bool) {
        let state = &mut self.indexes[slot(kind)];
        let followed = match state {
            IndexState::Fresh(index, changed) => {
                *changed = true;
                change(index)
            }
            _ => false,
        };
        if !followed {
            *state = IndexState::Dirty;
        }
    }

    /// The ID and text of entry `i` of `kind`'s fresh index, read from the log where the index
    /// says it lies. `None` when what lies there is not that entry.
    pub(crate) fn indexed_entry(
        &mut self,
        kind: Kind,
        i: usize,
    ) -> Result<Option<(crate::format::EntryId, String)>> {
        let Some(row) = self.index(kind).and_then(|index| index.row(i)) else {
            return Ok(None);
        };
        let file = File::open(self.store.path(kind))?;
        Ok(row.read_entry(file.file()).and_then(|text| {
            let id = Entry::parse(&text)?.id().clone();
            Some((id, text))
        }))
    }

    /// Replaces entry `i` of `kind`'s log, whose text is `old`, with `new`, through a fresh
    /// index: the file is rewritten around the entry (copied, not read into memory) and renamed
    /// over the log. Returns false, writing nothing, when either text read alone is not exactly
    /// one entry with nothing left open: only then is it sure that no other entry moves.
    pub(crate) fn splice(&mut self, kind: Kind, i: usize, old: &str, new: &str) -> Result<bool> {
        use std::io::{Read, Seek};
        let alone = |text: &str| {
            let doc = Document::parse(text.as_bytes().to_vec());
            (doc.entries().len() == 1
                && doc.unclosed().is_none()
                && doc.entries()[0].range.start == 0)
                .then(|| doc.entries()[0].id.clone())
        };
        match (alone(old), alone(new)) {
            (Some(a), Some(b)) if a == b => {}
            _ => return Ok(false),
        }
        let Some(index) = self.index(kind) else {
            return Ok(false);
        };
        let Some(range) = index.row(i).map(|r| r.range()) else {
            return Ok(false);
        };
        let path = self.store.path(kind);
        if new.len() == old.len() {
            // The same length (a count or a date changed): rewritten where it lies, with the
            // old bytes in a journal first, so that a crash leaves the old entry or the new.
            let journal = self.store.dir.join(EDIT_JOURNAL);
            let log_len = fs_err::metadata(&path)?.len();
            let mut record = format!(
                "{}\t{}\t{}\t{log_len}\n",
                kind.file_name(),
                range.start,
                old.len()
            )
            .into_bytes();
            record.extend_from_slice(old.as_bytes());
            fs_err::write(&journal, &record)?;
            let mut file = OpenOptions::new().write(true).open(&path)?;
            file.seek(std::io::SeekFrom::Start(range.start))?;
            file.write_all(new.as_bytes())?;
            drop(file);
            fs_err::remove_file(&journal)?;
            self.follow(kind, |index| index.replaced(i, new));
            return Ok(true);
        }
        let target = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
        let tmp = temp_path(&target);
        let mut src = File::open(&path)?;
        let mut out = File::create(&tmp)?;
        std::io::copy(&mut src.file().take(range.start), out.file_mut())?;
        out.write_all(new.as_bytes())?;
        src.seek(std::io::SeekFrom::Start(range.end))?;
        std::io::copy(src.file_mut(), out.file_mut())?;
        out.set_permissions(src.metadata()?.permissions())?;
        drop(out);
        fs_err::rename(&tmp, &target)?;
        self.follow(kind, |index| index.replaced(i, new));
        Ok(true)
    }

    /// Marks `kind`'s index to be made anew from its log at the end of this write.
    pub(crate) fn reindex(&mut self, kind: Kind) {
        self.indexes[slot(kind)] = IndexState::Dirty;
    }

    /// Saves what changed, and indexes anew each log written behind the index's back. An
    /// index that cannot be kept (a log that cannot be read, a folder in the way) is left as
    /// it is: its front no longer matches the log, so no reader believes it, and the write
    /// stands.
    fn keep_indexes(&mut self) {
        for kind in Kind::ALL {
            let _ = self.keep_index(kind);
        }
    }

    fn keep_index(&mut self, kind: Kind) -> Result<()> {
        {
            match std::mem::take(&mut self.indexes[slot(kind)]) {
                IndexState::Untouched | IndexState::Fresh(_, false) => {}
                IndexState::Fresh(index, true)
                    if index.log_len() > self.store.config.max_log_bytes =>
                {
                    // Readers refuse such a log; no index may answer for it.
                    index::remove(&self.store.dir, kind)?;
                }
                IndexState::Fresh(mut index, true) => {
                    index.save(&self.store.dir, None)?;
                }
                IndexState::Dirty => {
                    let look = index::look(&self.store.dir, kind)?;
                    let log = self.load(kind)?;
                    if let (true, Some(look)) = (log.exists, look) {
                        Index::build(kind, &log.doc).save(&self.store.dir, Some(look))?;
                    } else {
                        index::remove(&self.store.dir, kind)?;
                    }
                }
            }
        }
        Ok(())
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
        // The entry is the end of what was written, in the file's line endings.
        let mut entry_len = entry.len();
        if tail.crlf {
            entry_len += entry.matches('\n').count() - entry.matches("\r\n").count();
        }
        let len = tail.len;
        self.follow(tail.kind, |index| {
            let known = index.log_len() == len && index.can_follow_append();
            if known {
                index.appended(&text, text.len() - entry_len);
            }
            known
        });
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
        write_atomic(&self.store.path(log.kind), log.doc.bytes())?;
        self.indexes[slot(log.kind)] =
            IndexState::Fresh(Box::new(Index::build(log.kind, &log.doc)), true);
        Ok(())
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
                            self.reindex(kind);
                        }
                    }
                }
                fs_err::remove_file(&journal)?;
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e.into()),
        }
        let edits = self.store.dir.join(EDIT_JOURNAL);
        match fs_err::read(&edits) {
            Ok(bytes) => {
                // Only a whole record is put back: a cut one was written before the edit began.
                // Only into the file the edit was made in: one of another length (a checkout, a
                // hand edit since) is left alone.
                if let Some((kind, offset, old, log_len)) = edit_record(&bytes) {
                    let path = self.store.path(kind);
                    if let Ok(mut file) = OpenOptions::new().write(true).open(&path)
                        && file.metadata()?.len() == log_len
                        && log_len >= offset + old.len() as u64
                    {
                        use std::io::Seek;
                        file.seek(std::io::SeekFrom::Start(offset))?;
                        file.write_all(old)?;
                        self.reindex(kind);
                    }
                }
                fs_err::remove_file(&edits)?;
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

/// The log, offset, old bytes and the log's length of a whole edit-journal record.
fn edit_record(bytes: &[u8]) -> Option<(Kind, u64, &[u8], u64)> {
    let nl = memchr::memchr(b'\n', bytes)?;
    let head = std::str::from_utf8(&bytes[..nl]).ok()?;
    let mut parts = head.split('\t');
    let name = parts.next()?;
    let kind = Kind::ALL.into_iter().find(|k| k.file_name() == name)?;
    let offset: u64 = parts.next()?.parse().ok()?;
    let len: usize = parts.next()?.parse().ok()?;
    let log_len: u64 = parts.next()?.parse().ok()?;
    let old = &bytes[nl + 1..];
    (old.len() == len).then_some((kind, offset, old, log_len))
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
    fn an_edit_in_place_cut_short_is_put_back_by_the_next_writer() {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::open(tmp.path().to_owned()).unwrap();
        store.init().unwrap();
        let path = store.path(Kind::Error);
        let before = std::fs::read(&path).unwrap();
        let at = before.len() - 4;
        let old = before[at..].to_vec();
        // The journal was written, then half of the new bytes.
        let mut record = format!("ERRORS.md\t{at}\t{}\t{}\n", old.len(), before.len()).into_bytes();
        record.extend_from_slice(&old);
        std::fs::write(store.dir().join(EDIT_JOURNAL), &record).unwrap();
        let mut torn = before.clone();
        torn[at] = b'X';
        std::fs::write(&path, &torn).unwrap();
        store.write(|_| Ok(())).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), before);
        assert!(!store.dir().join(EDIT_JOURNAL).exists());
        // A journal cut short was written before any edit began: nothing is put back.
        std::fs::write(&path, &torn).unwrap();
        std::fs::write(store.dir().join(EDIT_JOURNAL), &record[..record.len() - 1]).unwrap();
        store.write(|_| Ok(())).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), torn);
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
