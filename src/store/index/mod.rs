//! The index: a cache of what the hooks read in each log, kept beside the logs in
//! `.learnings/.index/` so that a hook's cost does not grow with the log.
//!
//! One file per log holds, for every entry, where its bytes lie, its ID, `Logged` and
//! Pattern-Key, the standing the activator counts, a signature of the words relevance reads,
//! and for a failure a hash of its command and working directory; for the log, its end (for
//! an append) and the highest sequence number of each day (for the next ID). Every writer
//! keeps it under the store's lock, from the bytes it wrote; a reader uses it only while the
//! log is exactly the file it was made from ([`stamp`]), and otherwise reads the logs, with the
//! same result. Deleting it loses nothing: the next writer, or the next prompt, makes it anew.

mod codec;
pub(crate) mod stamp;

use std::path::{Path, PathBuf};

use crate::error::Result;
use crate::format::words::{
    Signature, Verification, lower_into, relevance_texts, signature, standing,
};
use crate::format::{Document, Entry, Kind};
use crate::store::Tail;
use codec::{OPEN, PENDING, Parts, Row as RawRow, Str, VERIFICATION_SHIFT, WONT_FIX};
pub(crate) use stamp::Stamp;

/// The folder under `.learnings/` that holds the index files.
pub(crate) const DIR: &str = ".index";

/// The index of one log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Index {
    kind: Kind,
    p: Parts,
}

/// One entry as the index knows it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Row<'a> {
    index: &'a Index,
    raw: &'a RawRow,
}

impl<'a> Row<'a> {
    pub(crate) fn range(&self) -> std::ops::Range<u64> {
        self.raw.offset..self.raw.offset + u64::from(self.raw.len)
    }
    pub(crate) fn id(&self) -> &'a str {
        self.index.str(self.raw.id)
    }
    pub(crate) fn logged(&self) -> &'a str {
        self.index.str(self.raw.logged)
    }
    pub(crate) fn wont_fix(&self) -> bool {
        self.raw.flags & WONT_FIX != 0
    }
    pub(crate) fn sig(&self) -> &'a Signature {
        &self.raw.sig
    }
}

impl crate::store::Store {
    /// What is wrong with the index of each log, one line each: missing, damaged or stale.
    /// Empty when every log's index is fresh.
    pub fn index_health(&self) -> Vec<String> {
        Kind::ALL
            .into_iter()
            .filter_map(|kind| health(self.dir(), kind))
            .collect()
    }

    /// Makes anew every index that is missing, stale or damaged, waiting for the lock.
    pub fn refresh_index(&self) -> Result<()> {
        self.write(|w| {
            for kind in Kind::ALL {
                w.index(kind);
            }
            Ok(())
        })
    }

    /// Where a fresh index differs from the logs it stands for: a line per difference. A
    /// fresh index that drifted would be a writer's bug; this is how tests catch one.
    pub fn index_drift(&self) -> Result<Vec<String>> {
        let mut out = Vec::new();
        for kind in Kind::ALL {
            if let Some(doc) = self.peek(kind)? {
                out.extend(drift(self.dir(), kind, &doc));
            }
        }
        Ok(out)
    }
}

/// The file that holds the index of `kind`'s log.
pub(crate) fn path(dir: &Path, kind: Kind) -> PathBuf {
    dir.join(DIR).join(format!("{}.idx", kind.file_name()))
}

/// The hash that pairs a failure with a later success of the same command: the program and
/// subcommand as the Pattern-Key names them, and the working directory as the entry gives it.
pub fn command_hash(command_key: &str, workdir: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in command_key.bytes().chain([0]).chain(workdir.bytes()) {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    h.max(1)
}

/// The command hash of a failure entry: its Pattern-Key `cmd.<program>[.<sub>].<sig>` and
/// its `Working directory` context line; `None` for anything else.
pub fn failure_hash(e: &Entry<'_>) -> Option<u64> {
    let key = e.pattern_key()?.trim().strip_prefix("cmd.")?;
    let (command_key, _sig) = key.rsplit_once('.')?;
    let context = e.section("context")?;
    let workdir = context.lines().find_map(|l| {
        l.trim()
            .trim_start_matches(['-', '*'])
            .trim()
            .strip_prefix("Working directory:")
    })?;
    Some(command_hash(command_key, unspan(workdir.trim())))
}

/// The text inside an inline code span as the detector writes one (`` `x` `` or
/// ``` `` x `` ```).
fn unspan(text: &str) -> &str {
    let ticks = text.len() - text.trim_start_matches('`').len();
    if ticks == 0 || text.len() < 2 * ticks {
        return text;
    }
    let inner = &text[ticks..text.len() - ticks];
    if ticks > 1 {
        inner
            .strip_prefix(' ')
            .and_then(|i| i.strip_suffix(' '))
            .unwrap_or(inner)
    } else {
        inner
    }
}

impl Index {
    /// The index of a log from its parsed bytes, stamped later by [`Index::save`].
    pub(crate) fn build(kind: Kind, doc: &Document) -> Index {
        let bytes = doc.bytes();
        let mut index = Index {
            kind,
            p: Parts {
                ends_with_newline: bytes.ends_with(b"\n"),
                crlf: memchr::memchr(b'\n', bytes).is_some_and(|i| i > 0 && bytes[i - 1] == b'\r'),
                ..Parts::default()
            },
        };
        index.set_closer(doc.unclosed());
        index.note_seqs(bytes);
        let mut lower = String::new();
        for span in doc.entries() {
            let text = std::str::from_utf8(doc.entry_bytes(span)).unwrap_or_default();
            let row = index.row_of(span.range.start as u64, text, &mut lower);
            index.p.rows.push(row);
        }
        index.p.stamp.len = bytes.len() as u64;
        index
    }

    fn row_of(&mut self, offset: u64, text: &str, lower: &mut String) -> RawRow {
        lower_into(text, lower);
        let s = standing(text, lower);
        let entry = Entry::parse(text);
        let id = entry.as_ref().map_or("", |e| e.id().as_str()).to_owned();
        let logged = crate::format::entry::first_field(text, "logged")
            .unwrap_or("")
            .trim();
        let key = entry.as_ref().and_then(Entry::pattern_key).unwrap_or("");
        let mut flags = 0;
        if s.pending {
            flags |= PENDING;
        }
        if s.wont_fix {
            flags |= WONT_FIX;
        }
        if s.open {
            flags |= OPEN;
        }
        let v = match s.verification {
            Verification::None => 0,
            Verification::Awaiting => 1,
            Verification::Eligible => 2,
            Verification::Held => 3,
        };
        flags |= v << VERIFICATION_SHIFT;
        let cmd = match (&entry, self.kind) {
            (Some(e), Kind::Error) => failure_hash(e).unwrap_or(0),
            _ => 0,
        };
        let sig = entry
            .as_ref()
            .map_or([0; 4], |e| signature(&relevance_texts(e)));
        RawRow {
            offset,
            len: text.len() as u32,
            flags,
            id: self.intern(&id),
            logged: self.intern(logged),
            key: self.intern(key),
            cmd,
            sig,
        }
    }

    fn intern(&mut self, s: &str) -> Str {
        let off = self.p.pool.len() as u32;
        self.p.pool.extend_from_slice(s.as_bytes());
        Str {
            off,
            len: s.len() as u32,
        }
    }

    fn str(&self, s: Str) -> &str {
        let bytes = &self.p.pool[s.off as usize..(s.off + s.len) as usize];
        std::str::from_utf8(bytes).unwrap_or("")
    }

    fn set_closer(&mut self, closer: Option<&str>) {
        self.p.closer = closer.map(|c| self.intern(c));
    }

    /// Records the highest sequence number after `PREFIX-YYYYMMDD-` in `bytes`, for every day,
    /// exactly as the skim of an append counts them (mentions outside entries too).
    fn note_seqs(&mut self, bytes: &[u8]) {
        let prefix = format!("{}-", self.kind.prefix());
        for at in memchr::memmem::find_iter(bytes, prefix.as_bytes()) {
            let rest = &bytes[at + prefix.len()..];
            if rest.len() < 9 || !rest[..8].iter().all(u8::is_ascii_digit) || rest[8] != b'-' {
                continue;
            }
            let digits = &rest[9..];
            let n = digits.iter().take_while(|b| b.is_ascii_digit()).count();
            let Some(seq) = (n <= 6)
                .then(|| std::str::from_utf8(&digits[..n]).ok()?.parse::<u32>().ok())
                .flatten()
            else {
                continue;
            };
            let date: [u8; 8] = rest[..8].try_into().expect("8 digits");
            match self.p.seqs.iter_mut().find(|(d, _)| *d == date) {
                Some((_, max)) => *max = (*max).max(seq),
                None => self.p.seqs.push((date, seq)),
            }
        }
    }

    /// The log's length when the index was made.
    pub(crate) fn log_len(&self) -> u64 {
        self.p.stamp.len
    }

    pub(crate) fn rows(&self) -> impl ExactSizeIterator<Item = Row<'_>> + '_ {
        self.p.rows.iter().map(move |raw| Row { index: self, raw })
    }

    pub(crate) fn row(&self, i: usize) -> Row<'_> {
        Row {
            index: self,
            raw: &self.p.rows[i],
        }
    }

    /// Pending, awaiting verification, eligible for promotion, held INDETERMINATE.
    pub(crate) fn counts(&self) -> [usize; 4] {
        let mut c = [0; 4];
        for r in &self.p.rows {
            if r.flags & PENDING != 0 {
                c[0] += 1;
            }
            match (r.flags >> VERIFICATION_SHIFT) & 3 {
                1 => c[1] += 1,
                2 => c[2] += 1,
                3 => c[3] += 1,
                _ => {}
            }
        }
        c
    }

    /// The highest sequence number written after `PREFIX-date-` (`date` as `YYYYMMDD`).
    pub(crate) fn max_seq(&self, date: &str) -> u32 {
        self.p
            .seqs
            .iter()
            .find(|(d, _)| d.as_slice() == date.as_bytes())
            .map_or(0, |(_, s)| *s)
    }

    /// The last entry whose Pattern-Key is `key`.
    pub(crate) fn last_with_key(&self, key: &str) -> Option<usize> {
        self.p.rows.iter().rposition(|r| self.str(r.key) == key)
    }

    /// The open failures of this command (see [`command_hash`]).
    pub(crate) fn open_failures(&self, hash: u64) -> Vec<usize> {
        self.p
            .open
            .iter()
            .filter(|(h, _)| *h == hash)
            .map(|(_, r)| *r as usize)
            .collect()
    }

    /// The end of the log, as an append needs it.
    pub(crate) fn tail(&self) -> Tail {
        Tail {
            kind: self.kind,
            len: self.p.stamp.len,
            ends_with_newline: self.p.ends_with_newline,
            crlf: self.p.crlf,
            closer: self.p.closer.map(|c| self.str(c).to_owned()),
        }
    }

    /// Takes in an append: `written` is every byte added at the end of the log, and the new
    /// entry starts `entry_at` bytes into it.
    pub(crate) fn appended(&mut self, written: &str, entry_at: usize) {
        let offset = self.p.stamp.len + entry_at as u64;
        if let Some(last) = self.p.rows.last_mut() {
            last.len = (offset - last.offset) as u32;
        }
        self.note_seqs(written.as_bytes());
        let entry = &written[entry_at..];
        let mut lower = String::new();
        let row = self.row_of(offset, entry, &mut lower);
        self.p.rows.push(row);
        // The block state after the entry: the append closed whatever was open before it.
        self.set_closer(crate::format::blocks::closer_after(entry).as_deref());
        self.p.ends_with_newline = written.ends_with('\n');
        if self.p.stamp.len == 0 {
            self.p.crlf = memchr::memchr(b'\n', written.as_bytes())
                .is_some_and(|i| i > 0 && written.as_bytes()[i - 1] == b'\r');
        }
        self.p.stamp.len += written.len() as u64;
    }

    /// Takes in the edit of entry `i`, whose text is now `new`.
    pub(crate) fn replaced(&mut self, i: usize, new: &str) {
        let old = self.p.rows[i];
        let delta = new.len() as i64 - i64::from(old.len);
        let mut lower = String::new();
        let row = self.row_of(old.offset, new, &mut lower);
        self.p.rows[i] = row;
        for r in &mut self.p.rows[i + 1..] {
            r.offset = (r.offset as i64 + delta) as u64;
        }
        self.note_seqs(new.as_bytes());
        if i + 1 == self.p.rows.len() {
            self.p.ends_with_newline = new.ends_with('\n');
        }
        self.p.stamp.len = (self.p.stamp.len as i64 + delta) as u64;
    }

    /// Reads the index of `kind` in the `.learnings/` folder `dir`, if it is whole and its log
    /// is still exactly the file it was made from.
    pub(crate) fn load(dir: &Path, kind: Kind) -> Option<Index> {
        let bytes = std::fs::read(path(dir, kind)).ok()?;
        let p = codec::decode(&bytes)?;
        let now = Stamp::of(&dir.join(kind.file_name())).ok()?;
        (now == p.stamp).then_some(Index { kind, p })
    }

    /// Reads only the short sections at the front of the index of `kind` (what a passing
    /// command needs), on the same conditions as [`Index::load`].
    pub(crate) fn load_front(dir: &Path, kind: Kind) -> Option<Index> {
        use std::io::Read;
        let mut file = std::fs::File::open(path(dir, kind)).ok()?;
        let mut bytes = vec![0; codec::HEADER];
        file.read_exact(&mut bytes).ok()?;
        let front = codec::front_len(&bytes)?;
        bytes.resize(front, 0);
        file.read_exact(&mut bytes[codec::HEADER..]).ok()?;
        let p = codec::decode_front(&bytes)?;
        let now = Stamp::of(&dir.join(kind.file_name())).ok()?;
        (now == p.stamp).then_some(Index { kind, p })
    }

    /// Writes the index for the log as it is now, which must be the bytes it was made from
    /// (the caller holds the store's lock). Nothing is written, and any old index is removed,
    /// when the log's length differs or the file system cannot yet vouch that a later change
    /// would show (see [`stamp`]). Returns whether the index was written.
    ///
    /// An index made from bytes read from the log (not written by the caller) passes the
    /// [`Look`] taken before they were read: it is saved only if the log is still as it was
    /// then, and was settled then.
    pub(crate) fn save(&mut self, dir: &Path, before: Option<Look>) -> Result<bool> {
        let target = path(dir, self.kind);
        let tmp = temp(dir, self.kind)?;
        let stamp = Stamp::of(&dir.join(self.kind.file_name()));
        let fresh = match (&stamp, before) {
            (Ok(s), Some(look)) => *s == look.stamp && s.settled_before(look.now),
            (Ok(s), None) => {
                let (file, now) = stamp::clock_file(&tmp)?;
                drop(file);
                fs_err::remove_file(&tmp)?;
                // Stamped again after the clock was read: any change from here on shows.
                let again = Stamp::of(&dir.join(self.kind.file_name())).ok();
                again == Some(*s) && s.settled_before(now)
            }
            (Err(_), _) => false,
        };
        match stamp {
            Ok(s) if fresh && s.len == self.p.stamp.len => {
                self.p.stamp = s;
                self.p.open = self
                    .p
                    .rows
                    .iter()
                    .enumerate()
                    .filter(|(_, r)| r.cmd != 0 && r.flags & OPEN != 0)
                    .map(|(i, r)| (r.cmd, i as u32))
                    .collect();
                self.p.counts = self.counts().map(|c| c as u32);
                fs_err::write(&tmp, codec::encode(&self.p))?;
                fs_err::rename(&tmp, &target)?;
                Ok(true)
            }
            _ => {
                let _ = fs_err::remove_file(&tmp);
                remove(dir, self.kind)?;
                Ok(false)
            }
        }
    }
}

/// Where the fresh index of `kind` differs from one made anew from `doc` (the log as it is):
/// a line per difference, none when they agree or when there is no fresh index. For tests
/// and `evolver doctor`: a writer that let its index drift from its log shows here.
pub(crate) fn drift(dir: &Path, kind: Kind, doc: &Document) -> Vec<String> {
    let Some(kept) = Index::load(dir, kind) else {
        return Vec::new();
    };
    let made = Index::build(kind, doc);
    let view = |i: &Index| {
        let rows: Vec<String> =
            i.p.rows
                .iter()
                .map(|r| {
                    format!(
                        "{}+{} {:x} {} {:?} {:?} {:x} {:x?}",
                        r.offset,
                        r.len,
                        r.flags,
                        i.str(r.id),
                        i.str(r.logged),
                        i.str(r.key),
                        r.cmd,
                        r.sig
                    )
                })
                .collect();
        let mut seqs = i.p.seqs.clone();
        seqs.sort();
        let t = i.tail();
        let tail = format!(
            "{} {} {} {:?}",
            t.len, t.ends_with_newline, t.crlf, t.closer
        );
        (rows, seqs, tail)
    };
    let (a, b) = (view(&kept), view(&made));
    let mut out = Vec::new();
    if a.2 != b.2 {
        out.push(format!("{}: end {} != {}", kind.file_name(), a.2, b.2));
    }
    if a.1 != b.1 {
        out.push(format!("{}: sequences differ", kind.file_name()));
    }
    if a.0.len() != b.0.len() {
        out.push(format!(
            "{}: {} rows != {}",
            kind.file_name(),
            a.0.len(),
            b.0.len()
        ));
    }
    for (x, y) in a.0.iter().zip(&b.0) {
        if x != y {
            out.push(format!("{}: row {x} != {y}", kind.file_name()));
        }
    }
    out
}

/// The file system's time and the log's stamp, taken in that order before the log is read.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Look {
    now: stamp::FsTime,
    stamp: Stamp,
}

/// Takes a [`Look`] at `kind`'s log; `None` when it cannot be stamped (it is gone).
pub(crate) fn look(dir: &Path, kind: Kind) -> Result<Option<Look>> {
    let tmp = temp(dir, kind)?;
    let (file, now) = stamp::clock_file(&tmp)?;
    drop(file);
    fs_err::remove_file(&tmp)?;
    Ok(Stamp::of(&dir.join(kind.file_name()))
        .ok()
        .map(|stamp| Look { now, stamp }))
}

/// The temporary file an index of `kind` is written to, in a folder that exists.
fn temp(dir: &Path, kind: Kind) -> Result<PathBuf> {
    let folder = dir.join(DIR);
    if !folder.is_dir() {
        fs_err::create_dir_all(&folder)?;
        fs_err::write(folder.join(".gitignore"), "*\n")?;
    }
    Ok(path(dir, kind).with_extension("idx.tmp"))
}

/// Removes the index of `kind`, if there is one.
pub(crate) fn remove(dir: &Path, kind: Kind) -> Result<()> {
    match std::fs::remove_file(path(dir, kind)) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// What `evolver doctor` says of the index of `kind`: `None` when it is fresh or there is no
/// log to index.
pub(crate) fn health(dir: &Path, kind: Kind) -> Option<String> {
    if !dir.join(kind.file_name()).exists() {
        return None;
    }
    let file = path(dir, kind);
    let Ok(bytes) = std::fs::read(&file) else {
        return Some(format!(
            "{} has no index yet (it is made on the next write)",
            kind.file_name()
        ));
    };
    let Some(p) = codec::decode(&bytes) else {
        return Some(format!("{} is damaged", file.display()));
    };
    match Stamp::of(&dir.join(kind.file_name())) {
        Ok(now) if now == p.stamp => None,
        _ => Some(format!(
            "{} is stale: {} changed since it was made",
            file.display(),
            kind.file_name()
        )),
    }
}
