//! The index: a cache of what the hooks read in each log, kept beside the logs in
//! `.learnings/.index/` so that a hook's cost does not grow with the log.
//!
//! For every entry of a log it holds where its bytes lie, hashes of its ID and Pattern-Key,
//! the start of its `Logged`, the standing the activator counts, the terms relevance reads
//! with their counts and a signature of them, and for a failure a hash of its command and
//! working directory; for the log, its end (for an append), the highest sequence number of
//! each day (for the next ID) and the document frequencies of its terms. Hashes only point: what they point at is read and checked. Every writer
//! keeps it under the store's lock, from the bytes it wrote; a reader uses it only while the
//! log is exactly the file it was made from ([`stamp`]), and otherwise reads the logs, with the
//! same result. Deleting it loses nothing: the next writer, or the next prompt, makes it anew.

mod codec;
pub(crate) mod stamp;

use std::path::{Path, PathBuf};

use crate::error::Result;
use crate::format::words::{Verification, lower_into, relevance_fields, standing};
use crate::format::{Document, Entry, Kind};
use crate::relevance::{self, Df, Reader, Signature};
use crate::store::Tail;
use codec::{
    COLD, Front, HOT, LOGGED, LOGGED_LONGER, LOGGED_SHIFT, OPEN, PENDING, Row as RawRow,
    VERIFICATION_SHIFT, WONT_FIX,
};
pub(crate) use stamp::Stamp;

/// The folder under `.learnings/` that holds the index files.
pub(crate) const DIR: &str = ".index";

/// The index of one log: its front, and its rows as bytes in two columns.
#[derive(Debug)]
pub(crate) struct Index {
    kind: Kind,
    f: Front,
    hot: Hot,
    cold: Cold,
    /// Every entry's terms, where its cold row points ([`codec::encode_terms`]).
    terms: Terms,
    /// The log is too large for the rows' 32-bit offsets: never saved.
    unusable: bool,
    /// The rows changed since the columns were read: `None` when all must be written.
    dirty: Option<std::ops::Range<usize>>,
}

/// The hot column: whole in memory (an index made anew, or read for the activator), or left
/// in its file with only the rows set since, which a save writes where they lie (a writer's
/// index: its flags are in the cold rows too, so it never reads this column).
#[derive(Debug)]
enum Hot {
    Loaded(Vec<u8>),
    Sparse(Vec<(usize, [u8; HOT])>),
}

/// The cold column (or the terms): in memory, or left in the file and read a row at a time.
#[derive(Debug)]
enum Cold {
    Loaded(Vec<u8>),
    OnDisk(std::fs::File),
}

/// The terms column: its file as it was read, and the records made since, which a save
/// appends. A record an edit replaced stays in the file unpointed-at until the index is made
/// anew; edits that change an entry's words are rare (a status, a count or a date does not).
#[derive(Debug, Default)]
struct Terms {
    file: Option<std::fs::File>,
    /// The file's length when it was opened: records before it are read from the file.
    saved: usize,
    /// The whole file, when it was read at once.
    all: Option<Vec<u8>>,
    /// Records made since, to be appended at `saved`.
    pending: Vec<u8>,
}

impl Terms {
    /// The column in `file`, of which the front vouches for `len` bytes: `None` when the file
    /// is shorter (a write was lost). Bytes past them are left over and written over.
    fn open(file: std::fs::File, len: u64) -> Option<Terms> {
        if file.metadata().ok()?.len() < len {
            return None;
        }
        let saved = usize::try_from(len).ok()?;
        Some(Terms {
            file: Some(file),
            saved,
            ..Terms::default()
        })
    }

    /// Appends a record and returns where it starts.
    fn put(&mut self, doc: &relevance::Doc) -> usize {
        let at = self.saved + self.pending.len();
        codec::encode_terms(doc, &mut self.pending);
        at
    }

    /// The record at `at`, checked; `None` when it cannot be read or is damaged.
    fn get(&self, at: usize) -> Option<relevance::Doc> {
        self.bytes(at, codec::decode_terms)?
    }

    /// `f` of the bytes from `at` (at least the whole record there, when it is sound): from
    /// memory, or read from the file.
    fn bytes<R>(&self, at: usize, f: impl FnOnce(&[u8]) -> R) -> Option<R> {
        if at >= self.saved {
            return Some(f(self.pending.get(at - self.saved..)?));
        }
        if let Some(all) = &self.all {
            return Some(f(all.get(at..)?));
        }
        let file = self.file.as_ref()?;
        let mut head = [0u8; 8];
        read_exact_at(file, &mut head, at as u64).ok()?;
        let size = codec::terms_len(&head)?;
        if at.checked_add(size)? > self.saved {
            return None;
        }
        let mut bytes = vec![0u8; size];
        read_exact_at(file, &mut bytes, at as u64).ok()?;
        Some(f(&bytes))
    }

    /// Reads the whole file at once.
    fn read_all(&mut self) -> Option<()> {
        if let (Some(file), None) = (&self.file, &self.all) {
            let mut all = vec![0u8; self.saved];
            read_exact_at(file, &mut all, 0).ok()?;
            self.all = Some(all);
        }
        Some(())
    }

    /// Writes what was made since the file was read: appended to it, or, for an index made
    /// anew, as a whole new file.
    fn save(&mut self, file: &Path) -> Result<()> {
        use std::io::{Seek, Write};
        if self.saved == 0 || self.file.is_none() {
            let tmp = file.with_extension("terms.tmp");
            fs_err::write(&tmp, &self.pending)?;
            fs_err::rename(&tmp, file)?;
        } else if !self.pending.is_empty() {
            let mut out = fs_err::OpenOptions::new().write(true).open(file)?;
            out.seek(std::io::SeekFrom::Start(self.saved as u64))?;
            out.write_all(&self.pending)?;
            out.set_len((self.saved + self.pending.len()) as u64)?;
        }
        self.saved += self.pending.len();
        self.pending.clear();
        self.file = std::fs::File::open(file).ok();
        self.all = None;
        Ok(())
    }
}

/// One entry as the index knows it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Row(RawRow);

impl Row {
    pub(crate) fn range(&self) -> std::ops::Range<u64> {
        u64::from(self.0.offset)..u64::from(self.0.offset) + u64::from(self.0.len)
    }
    /// Whether `id` is the ID this row was made from, as far as its hash can tell.
    pub(crate) fn may_be(&self, id: &str) -> bool {
        self.0.id == hash32(id)
    }

    /// The entry this row stands for, read from its log at its place and checked against
    /// the row's ID: `None` when what lies there is not that entry.
    pub(crate) fn read_entry(&self, log: &std::fs::File) -> Option<String> {
        let range = self.range();
        let mut bytes = vec![0; usize::try_from(range.end - range.start).ok()?];
        read_exact_at(log, &mut bytes, range.start).ok()?;
        let text = String::from_utf8(bytes).ok()?;
        Entry::parse(&text)
            .is_some_and(|e| self.may_be(e.id().as_str()))
            .then_some(text)
    }
    /// `Logged` as ranking compares it ([`logged_key`]): the bytes the row holds, and when
    /// `Logged` is longer, a byte above any that can follow them.
    pub(crate) fn logged_bound(&self) -> Vec<u8> {
        let n = ((self.0.flags >> LOGGED_SHIFT) & 63) as usize;
        let mut out = self.0.logged[..n.min(LOGGED)].to_vec();
        if self.0.flags & LOGGED_LONGER != 0 {
            out.push(0xFF);
        }
        out
    }
}

/// The terms relevance reads in an entry (none in text that is not an entry): one definition
/// for the index and for the activator reading the logs, which must agree to the byte.
pub(crate) fn terms_of(reader: &Reader, entry: Option<&Entry<'_>>) -> relevance::Doc {
    entry.map_or_else(relevance::Doc::default, |e| {
        reader.doc(&relevance_fields(e))
    })
}

/// How `Logged` takes part in ranking: its first [`LOGGED`] bytes, and a byte above any other
/// when it is longer, exactly what a row keeps ([`Row::logged_bound`]), so that the index and
/// the logs rank alike.
pub(crate) fn logged_key(text: &str) -> Vec<u8> {
    let logged = crate::format::entry::first_field(text, "logged")
        .unwrap_or("")
        .trim()
        .as_bytes();
    let mut key = logged[..logged.len().min(LOGGED)].to_vec();
    if logged.len() > LOGGED {
        key.push(0xFF);
    }
    key
}

/// `buf.len()` bytes of `file` at `at`, without moving its position.
fn read_exact_at(file: &std::fs::File, buf: &mut [u8], at: u64) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        std::os::unix::fs::FileExt::read_exact_at(file, buf, at)
    }
    #[cfg(not(unix))]
    {
        use std::io::{Read, Seek};
        let mut f = file;
        f.seek(std::io::SeekFrom::Start(at))?;
        f.read_exact(buf)
    }
}

/// 32 bits of FNV-1a: enough to point at the right row nearly always; the row's text is read
/// and checked.
fn hash32(text: &str) -> u32 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    ((h >> 32) ^ h) as u32
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
            renew(w);
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

/// Has every index that is missing, stale or damaged made anew at the end of the write `w`,
/// reading what writers themselves never read (the hot column, every terms record).
pub(crate) fn renew(w: &mut crate::store::Writer<'_>) {
    let dir = w.store().dir().to_path_buf();
    for kind in Kind::ALL {
        if w.index(kind)
            .is_some_and(|index| !index.terms_sound() || !index.hot_sound(&dir))
        {
            w.reindex(kind);
        }
    }
}

/// The file that holds the front of the index of `kind`'s log.
pub(crate) fn path(dir: &Path, kind: Kind) -> PathBuf {
    dir.join(DIR).join(format!("{}.idx", kind.file_name()))
}

/// The file that holds one column (`hot` or `cold`) of the index of `kind`'s log.
fn column(dir: &Path, kind: Kind, name: &str) -> PathBuf {
    dir.join(DIR).join(format!("{}.{name}", kind.file_name()))
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

/// What names a command for a pass: its program and subcommand as the Pattern-Key names
/// them (`cargo.test`), or, for a program without a subcommand (`ls`, `cat`), the whole
/// command line with its spaces collapsed, since any arguments could pass there.
pub fn pass_key(command_key: &str, command: &str) -> String {
    if command_key.contains('.') {
        command_key.to_owned()
    } else {
        format!(
            "={}",
            command.split_whitespace().collect::<Vec<_>>().join(" ")
        )
    }
}

/// The command hash of a failure entry: its Pattern-Key `cmd.<program>[.<sub>].<sig>`, its
/// `Command` and its `Working directory` context lines; `None` for anything else.
pub fn failure_hash(e: &Entry<'_>) -> Option<u64> {
    let key = e.pattern_key()?.trim().strip_prefix("cmd.")?;
    let (command_key, _sig) = key.rsplit_once('.')?;
    let context = e.section("context")?;
    let line = |name: &str| {
        context.lines().find_map(|l| {
            let l = l.trim().trim_start_matches(['-', '*']).trim();
            l.strip_prefix(name).map(|v| unspan(v.trim()))
        })
    };
    let workdir = line("Working directory:")?;
    let command = line("Command:")?;
    Some(command_hash(&pass_key(command_key, command), workdir))
}

/// The text inside an inline code span as the detector writes one (`` `x` `` or
/// ``` `` x `` ```).
fn unspan(text: &str) -> &str {
    let ticks = text.len() - text.trim_start_matches('`').len();
    let close = text.len() - text.trim_end_matches('`').len();
    if ticks == 0 || close != ticks || text.len() < 2 * ticks {
        return text;
    }
    // Backticks are one byte each, so both cuts fall on character boundaries.
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
    fn empty(kind: Kind) -> Index {
        Index {
            kind,
            f: Front::default(),
            hot: Hot::Loaded(Vec::new()),
            cold: Cold::Loaded(Vec::new()),
            terms: Terms::default(),
            unusable: false,
            dirty: None,
        }
    }

    /// Marks rows `from..to` to be written where they lie.
    fn touch(&mut self, from: usize, to: usize) {
        if let Some(d) = &mut self.dirty {
            *d = d.start.min(from)..d.end.max(to);
        }
    }

    /// The index of a log from its parsed bytes, stamped later by [`Index::save`].
    pub(crate) fn build(kind: Kind, doc: &Document) -> Index {
        let bytes = doc.bytes();
        let mut index = Index::empty(kind);
        index.unusable = u32::try_from(bytes.len()).is_err();
        index.f.ends_with_newline = bytes.ends_with(b"\n");
        index.f.crlf = memchr::memchr(b'\n', bytes).is_some_and(|i| i > 0 && bytes[i - 1] == b'\r');
        index.f.any_newline = memchr::memchr(b'\n', bytes).is_some();
        index.f.closer = doc.unclosed().map(str::to_owned);
        index.note_seqs(bytes);
        let mut lower = String::new();
        let reader = Reader::default();
        for span in doc.entries() {
            let text = std::str::from_utf8(doc.entry_bytes(span)).unwrap_or_default();
            let (row, terms) = index.row_of(span.range.start as u64, text, &mut lower, &reader);
            index.f.df.add(&terms);
            index.push(row, &terms);
        }
        index.f.stamp.len = bytes.len() as u64;
        index
    }

    /// Adds a row at the end, with the entry's terms.
    fn push(&mut self, mut row: RawRow, terms: &relevance::Doc) {
        row.terms = self.put_terms(terms);
        let row = &row;
        self.put_hot(self.f.rows, row);
        let cold = self.cold_mut();
        let at = cold.len();
        cold.resize(at + COLD, 0);
        row.write_cold(&mut cold[at..]);
        self.f.rows += 1;
        self.touch(self.f.rows - 1, self.f.rows);
    }

    /// Appends an entry's terms to the terms column and returns where they start.
    fn put_terms(&mut self, doc: &relevance::Doc) -> u32 {
        let at = self.terms.put(doc);
        u32::try_from(at).unwrap_or_else(|_| {
            self.unusable = true;
            0
        })
    }

    /// Whether the hot column, which a writer's index leaves unread, is whole and sound.
    pub(crate) fn hot_sound(&self, dir: &Path) -> bool {
        Index::column(
            &column(dir, self.kind, "hot"),
            self.f.rows,
            HOT,
            RawRow::hot_ok,
        )
        .is_some()
    }

    /// Whether every row's terms can be read and pass their checksum (reads them all).
    pub(crate) fn terms_sound(&self) -> bool {
        let mut whole = Terms {
            file: self.terms.file.as_ref().and_then(|f| f.try_clone().ok()),
            saved: self.terms.saved,
            all: None,
            pending: self.terms.pending.clone(),
        };
        whole.read_all().is_some()
            && (0..self.f.rows).all(|i| {
                let at = match &self.cold {
                    Cold::Loaded(_) => self.raw(i).terms,
                    Cold::OnDisk(_) => match self.row(i) {
                        Some(row) => row.0.terms,
                        None => return false,
                    },
                };
                whole.get(at as usize).is_some()
            })
    }

    /// `f` of the entry's terms where they lie, without copying them; `None` when they
    /// cannot be read or fail their checksum.
    pub(crate) fn with_terms<R>(
        &self,
        row: &Row,
        f: impl FnOnce(&dyn relevance::Counts) -> R,
    ) -> Option<R> {
        self.terms.bytes(row.0.terms as usize, |b| {
            codec::TermsView::of(b).map(|v| f(&v))
        })?
    }

    /// The cold column in memory: only writers change an index, and they load it whole.
    fn cold_mut(&mut self) -> &mut Vec<u8> {
        match &mut self.cold {
            Cold::Loaded(v) => v,
            Cold::OnDisk(..) => unreachable!("an index read for the activator is not changed"),
        }
    }

    /// Row `i` of an index whose cold column is loaded, its signature too when the hot
    /// column is.
    fn raw(&self, i: usize) -> RawRow {
        let Cold::Loaded(v) = &self.cold else {
            unreachable!("only the activator leaves the cold rows on disk");
        };
        let mut row =
            RawRow::read(&v[i * COLD..(i + 1) * COLD]).expect("rows made or checked whole");
        if let Hot::Loaded(_) = &self.hot {
            row.sig = self.sig(i);
        }
        row
    }

    /// Sets row `i` whole, hot and cold.
    fn set(&mut self, i: usize, row: &RawRow) {
        self.put_hot(i, row);
        row.write_cold(&mut self.cold_mut()[i * COLD..(i + 1) * COLD]);
        self.touch(i, i + 1);
    }

    /// Sets the cold half of row `i` (where it lies), whose hot half is unchanged.
    fn set_cold(&mut self, i: usize, row: &RawRow) {
        row.write_cold(&mut self.cold_mut()[i * COLD..(i + 1) * COLD]);
        self.touch(i, i + 1);
    }

    /// Writes the hot half of row `i` (the next row when `i` is the count).
    fn put_hot(&mut self, i: usize, row: &RawRow) {
        let mut bytes = [0u8; HOT];
        row.write_hot(&mut bytes);
        match &mut self.hot {
            Hot::Loaded(v) => {
                if v.len() < (i + 1) * HOT {
                    v.resize((i + 1) * HOT, 0);
                }
                v[i * HOT..(i + 1) * HOT].copy_from_slice(&bytes);
            }
            Hot::Sparse(rows) => match rows.iter_mut().find(|(r, _)| *r == i) {
                Some((_, b)) => *b = bytes,
                None => rows.push((i, bytes)),
            },
        }
    }

    fn hot_bytes(&self) -> &[u8] {
        match &self.hot {
            Hot::Loaded(v) => v,
            Hot::Sparse(_) => unreachable!("a writer's index reads no signatures"),
        }
    }

    fn flags(&self, i: usize) -> u32 {
        codec::get32(self.hot_bytes(), i * HOT + codec::SIG)
    }

    /// The word signature of entry `i`.
    pub(crate) fn sig(&self, i: usize) -> Signature {
        let hot = self.hot_bytes();
        std::array::from_fn(|k| codec::get64(hot, i * HOT + k * 8))
    }

    /// The document frequencies of this log.
    pub(crate) fn df(&self) -> &Df {
        &self.f.df
    }

    /// Whether entry `i` is `wont_fix`.
    pub(crate) fn wont_fix(&self, i: usize) -> bool {
        self.flags(i) & WONT_FIX != 0
    }

    /// The row of the entry `text` at `offset`, and the terms relevance reads in it.
    fn row_of(
        &mut self,
        offset: u64,
        text: &str,
        lower: &mut String,
        reader: &Reader,
    ) -> (RawRow, relevance::Doc) {
        lower_into(text, lower);
        let s = standing(text, lower);
        let entry = Entry::parse(text);
        let id = entry.as_ref().map_or("", |e| e.id().as_str());
        let logged = crate::format::entry::first_field(text, "logged")
            .unwrap_or("")
            .trim();
        let key = entry.as_ref().and_then(Entry::pattern_key);
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
        let mut head = [0u8; LOGGED];
        let n = logged.len().min(LOGGED);
        head[..n].copy_from_slice(&logged.as_bytes()[..n]);
        flags |= (n as u32) << LOGGED_SHIFT;
        if logged.len() > LOGGED {
            flags |= LOGGED_LONGER;
        }
        let cmd = match (&entry, self.kind) {
            (Some(e), Kind::Error) => failure_hash(e).unwrap_or(0),
            _ => 0,
        };
        let terms = terms_of(reader, entry.as_ref());
        let sig = relevance::signature(&terms);
        if u32::try_from(offset + text.len() as u64).is_err() {
            self.unusable = true;
        }
        let row = RawRow {
            sig,
            logged: head,
            offset: offset as u32,
            len: text.len() as u32,
            flags,
            key: key.map_or(0, hash32),
            id: hash32(id),
            cmd,
            terms: 0,
        };
        (row, terms)
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
            match self.f.seqs.iter_mut().find(|(d, _)| *d == date) {
                Some((_, max)) => *max = (*max).max(seq),
                None => self.f.seqs.push((date, seq)),
            }
        }
    }

    /// The log's length when the index was made.
    pub(crate) fn log_len(&self) -> u64 {
        self.f.stamp.len
    }

    /// Whether an append can be taken in from what was written alone: the log's line
    /// endings are known (it is empty, or holds a line break).
    pub(crate) fn can_follow_append(&self) -> bool {
        self.f.stamp.len == 0 || self.f.any_newline
    }

    pub(crate) fn len(&self) -> usize {
        self.f.rows
    }

    /// Row `i`, read from the file when its cold column was left there; `None` when that
    /// read fails or the row fails its checksum.
    pub(crate) fn row(&self, i: usize) -> Option<Row> {
        match &self.cold {
            Cold::Loaded(_) => Some(Row(self.raw(i))),
            Cold::OnDisk(file) => {
                let mut cold = [0u8; COLD];
                read_exact_at(file, &mut cold, (i * COLD) as u64).ok()?;
                RawRow::read(&cold).map(Row)
            }
        }
    }

    /// Reads the whole cold column and terms of an index read for the activator, checking
    /// every row: cheaper than many single rows. `None` when a row is damaged.
    pub(crate) fn with_cold(mut self) -> Option<Index> {
        if let Cold::OnDisk(file) = &self.cold {
            let mut cold = vec![0u8; self.f.rows * COLD];
            read_exact_at(file, &mut cold, 0).ok()?;
            if !cold.chunks_exact(COLD).all(RawRow::cold_ok) {
                return None;
            }
            self.cold = Cold::Loaded(cold);
        }
        self.terms.read_all()?;
        Some(self)
    }

    /// Whether the log is still the file this index was read for: a reader asks again after
    /// reading rows, which writers change where they lie only after changing the log.
    pub(crate) fn still_fresh(&self, dir: &Path) -> bool {
        Stamp::of(&dir.join(self.kind.file_name())).is_ok_and(|s| s == self.f.stamp)
    }

    /// Pending, awaiting verification, eligible for promotion, held INDETERMINATE.
    pub(crate) fn counts(&self) -> [usize; 4] {
        let mut c = [0; 4];
        for i in 0..self.f.rows {
            let flags = self.flags(i);
            if flags & PENDING != 0 {
                c[0] += 1;
            }
            match (flags >> VERIFICATION_SHIFT) & 3 {
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
        self.f
            .seqs
            .iter()
            .find(|(d, _)| d.as_slice() == date.as_bytes())
            .map_or(0, |(_, s)| *s)
    }

    /// The entries whose Pattern-Key may be `key`, newest first: their text must be read to
    /// be sure.
    pub(crate) fn with_key(&self, key: &str) -> Vec<usize> {
        let h = hash32(key);
        (0..self.f.rows)
            .rev()
            .filter(|&i| self.raw(i).key == h)
            .collect()
    }

    /// The open failures of this command (see [`command_hash`]).
    pub(crate) fn open_failures(&self, hash: u64) -> Vec<usize> {
        self.f
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
            len: self.f.stamp.len,
            ends_with_newline: self.f.ends_with_newline,
            crlf: self.f.crlf,
            closer: self.f.closer.clone(),
        }
    }

    /// Takes in an append: `written` is every byte added at the end of the log, and the new
    /// entry starts `entry_at` bytes into it.
    pub(crate) fn appended(&mut self, written: &str, entry_at: usize) {
        let offset = self.f.stamp.len + entry_at as u64;
        if self.f.rows > 0 {
            let last = self.f.rows - 1;
            let mut row = self.raw(last);
            row.len = (offset - u64::from(row.offset)) as u32;
            self.set_cold(last, &row);
        }
        self.note_seqs(written.as_bytes());
        let entry = &written[entry_at..];
        let mut lower = String::new();
        let (row, terms) = self.row_of(offset, entry, &mut lower, &Reader::default());
        self.f.df.add(&terms);
        self.push(row, &terms);
        // The block state after the entry: the append closed whatever was open before it.
        self.f.closer = crate::format::blocks::closer_after(entry);
        self.f.ends_with_newline = written.ends_with('\n');
        self.f.any_newline |= written.contains('\n');
        if self.f.stamp.len == 0 {
            self.f.crlf = memchr::memchr(b'\n', written.as_bytes())
                .is_some_and(|i| i > 0 && written.as_bytes()[i - 1] == b'\r');
        }
        self.f.stamp.len += written.len() as u64;
    }

    /// Takes in the edit of entry `i`, whose text is now `new`. Returns false, changing
    /// nothing, when the entry's old terms cannot be read: the index is then made anew.
    pub(crate) fn replaced(&mut self, i: usize, new: &str) -> bool {
        let old = self.raw(i);
        let Some(gone) = self.terms.get(old.terms as usize) else {
            return false;
        };
        let delta = new.len() as i64 - i64::from(old.len);
        let mut lower = String::new();
        let (mut row, terms) =
            self.row_of(u64::from(old.offset), new, &mut lower, &Reader::default());
        if terms == gone {
            // The usual edit (a status, a count, a date): the terms stay where they are.
            row.terms = old.terms;
        } else {
            self.f.df.remove(&gone);
            self.f.df.add(&terms);
            row.terms = self.put_terms(&terms);
        }
        self.set(i, &row);
        if delta != 0 {
            for j in i + 1..self.f.rows {
                let mut row = self.raw(j);
                row.offset = (i64::from(row.offset) + delta) as u32;
                self.set_cold(j, &row);
            }
        }
        self.note_seqs(new.as_bytes());
        if i + 1 == self.f.rows {
            self.f.ends_with_newline = new.ends_with('\n');
        }
        self.f.stamp.len = (self.f.stamp.len as i64 + delta) as u64;
        true
    }

    /// Reads the front of the index of `kind` if it is whole and its log is still exactly
    /// the file it was made from.
    fn front(dir: &Path, kind: Kind) -> Option<Front> {
        let bytes = std::fs::read(path(dir, kind)).ok()?;
        let f = codec::decode_front(&bytes)?;
        let now = Stamp::of(&dir.join(kind.file_name())).ok()?;
        (now == f.stamp).then_some(f)
    }

    /// The first `rows` rows of a column file, each checked.
    fn column(file: &Path, rows: usize, size: usize, ok: fn(&[u8]) -> bool) -> Option<Vec<u8>> {
        use std::io::Read;
        let mut bytes = vec![0; rows.checked_mul(size)?];
        std::fs::File::open(file)
            .ok()?
            .read_exact(&mut bytes)
            .ok()?;
        bytes.chunks_exact(size).all(ok).then_some(bytes)
    }

    /// Reads the index of `kind` in the `.learnings/` folder `dir`, whole, if every part of it
    /// is sound and its log is still exactly the file it was made from.
    pub(crate) fn load(dir: &Path, kind: Kind) -> Option<Index> {
        let f = Index::front(dir, kind)?;
        let cold = Index::column(&column(dir, kind, "cold"), f.rows, COLD, RawRow::cold_ok)?;
        let terms = Terms::open(
            std::fs::File::open(column(dir, kind, "terms")).ok()?,
            f.terms_len,
        )?;
        let index = Index {
            kind,
            f,
            hot: Hot::Sparse(Vec::new()),
            cold: Cold::Loaded(cold),
            terms,
            unusable: false,
            dirty: Some(0..0),
        };
        index.still_fresh(dir).then_some(index)
    }

    /// Reads what the activator needs of the index of `kind`: the front and the hot column,
    /// leaving the cold rows in their file to be read one by one ([`Index::row`]) or whole
    /// ([`Index::with_cold`]). On the same conditions as [`Index::load`]; the reader asks
    /// [`Index::still_fresh`] again once it has read what it needs.
    pub(crate) fn load_hot(dir: &Path, kind: Kind) -> Option<Index> {
        let f = Index::front(dir, kind)?;
        let hot = Index::column(&column(dir, kind, "hot"), f.rows, HOT, RawRow::hot_ok)?;
        let cold = std::fs::File::open(column(dir, kind, "cold")).ok()?;
        let terms = Terms::open(
            std::fs::File::open(column(dir, kind, "terms")).ok()?,
            f.terms_len,
        )?;
        Some(Index {
            kind,
            f,
            hot: Hot::Loaded(hot),
            cold: Cold::OnDisk(cold),
            terms,
            unusable: true,
            dirty: None,
        })
    }

    /// Reads only the short sections at the front of the index of `kind` (what a passing
    /// command needs), on the same conditions as [`Index::load`].
    pub(crate) fn load_front(dir: &Path, kind: Kind) -> Option<Index> {
        // The rows are not read: only `open_failures` may be asked of this index.
        Some(Index {
            kind,
            f: Index::front(dir, kind)?,
            hot: Hot::Sparse(Vec::new()),
            cold: Cold::Loaded(Vec::new()),
            terms: Terms::default(),
            unusable: true,
            dirty: None,
        })
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
        use std::io::Write;
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
            Ok(s) if fresh && !self.unusable && s.len == self.f.stamp.len => {
                self.f.stamp = s;
                self.f.open = (0..self.f.rows)
                    .map(|i| (i, self.raw(i)))
                    .filter(|(_, r)| r.cmd != 0 && r.flags & OPEN != 0)
                    .map(|(i, r)| (r.cmd, i as u32))
                    .collect();
                let Cold::Loaded(cold) = &self.cold else {
                    unreachable!("only an index loaded whole is saved");
                };
                // The columns first, then the front that vouches for them. An index made anew
                // rewrites its columns whole: the old front goes first, since the log may not
                // have changed and it would still vouch for a mix of old and new columns.
                if self.dirty.is_none() {
                    match std::fs::remove_file(&target) {
                        Ok(()) => {}
                        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                        Err(e) => return Err(e.into()),
                    }
                }
                let hot_file = column(dir, self.kind, "hot");
                let hot: &[u8] = match &self.hot {
                    Hot::Loaded(v) => v,
                    Hot::Sparse(rows) => {
                        // Only the rows set since; the rest of the file stands.
                        let mut out = fs_err::OpenOptions::new().write(true).open(&hot_file)?;
                        use std::io::Seek;
                        for (i, bytes) in rows {
                            out.seek(std::io::SeekFrom::Start((i * HOT) as u64))?;
                            out.write_all(bytes)?;
                        }
                        out.set_len((self.f.rows * HOT) as u64)?;
                        &[]
                    }
                };
                let columns: &[(&str, &[u8], usize)] = match &self.hot {
                    Hot::Loaded(_) => &[("hot", hot, HOT), ("cold", cold, COLD)],
                    Hot::Sparse(_) => &[("cold", cold, COLD)],
                };
                for &(name, bytes, size) in columns {
                    let file = column(dir, self.kind, name);
                    match &self.dirty {
                        Some(rows) if file.exists() => {
                            let mut out = fs_err::OpenOptions::new().write(true).open(&file)?;
                            use std::io::Seek;
                            out.seek(std::io::SeekFrom::Start((rows.start * size) as u64))?;
                            out.write_all(&bytes[rows.start * size..rows.end * size])?;
                            out.set_len((self.f.rows * size) as u64)?;
                        }
                        _ => {
                            let tmp = file.with_extension(format!("{name}.tmp"));
                            fs_err::write(&tmp, bytes)?;
                            fs_err::rename(&tmp, &file)?;
                        }
                    }
                }
                self.terms.save(&column(dir, self.kind, "terms"))?;
                self.f.terms_len = self.terms.saved as u64;
                let mut out = fs_err::File::create(&tmp)?;
                out.write_all(&codec::encode_front(&self.f))?;
                drop(out);
                fs_err::rename(&tmp, &target)?;
                self.dirty = Some(0..0);
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
    // The front first: without it the columns vouch for nothing.
    for file in [
        path(dir, kind),
        column(dir, kind, "hot"),
        column(dir, kind, "cold"),
        column(dir, kind, "terms"),
    ] {
        match std::fs::remove_file(file) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
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
    let Some(f) = codec::decode_front(&bytes) else {
        return Some(format!("{} is damaged", file.display()));
    };
    let hot = Index::column(&column(dir, kind, "hot"), f.rows, HOT, RawRow::hot_ok);
    let cold = Index::column(&column(dir, kind, "cold"), f.rows, COLD, RawRow::cold_ok);
    if hot.is_none() || cold.is_none() {
        return Some(format!("{} is damaged (its rows)", file.display()));
    }
    let terms_gone = std::fs::metadata(column(dir, kind, "terms"))
        .map_or(true, |m| !m.is_file() || m.len() < f.terms_len);
    if terms_gone || Index::load(dir, kind).is_some_and(|index| !index.terms_sound()) {
        return Some(format!("{} is damaged (its terms)", file.display()));
    }
    match Stamp::of(&dir.join(kind.file_name())) {
        Ok(now) if now == f.stamp => None,
        _ => Some(format!(
            "{} is stale: {} changed since it was made",
            file.display(),
            kind.file_name()
        )),
    }
}

/// Where the fresh index of `kind` differs from one made anew from `doc` (the log as it is):
/// a line per difference, none when they agree or when there is no fresh index. For tests:
/// a writer that let its index drift from its log shows here.
pub(crate) fn drift(dir: &Path, kind: Kind, doc: &Document) -> Vec<String> {
    let Some(mut kept) = Index::load(dir, kind) else {
        return Vec::new();
    };
    // The hot column too, which a writer's index leaves in its file.
    let Some(hot) = Index::column(&column(dir, kind, "hot"), kept.f.rows, HOT, RawRow::hot_ok)
    else {
        return vec![format!("{}: the hot column is damaged", kind.file_name())];
    };
    kept.hot = Hot::Loaded(hot);
    let made = Index::build(kind, doc);
    let view = |i: &Index| {
        // A row's terms compare by what they hold, not by where an edit left them.
        let rows: Vec<String> = (0..i.len())
            .map(|r| {
                let raw = i.raw(r);
                let terms = i.terms.get(raw.terms as usize);
                let hot_flags = i.flags(r);
                format!("{:?} {hot_flags} {terms:?}", RawRow { terms: 0, ..raw })
            })
            .collect();
        let mut seqs = i.f.seqs.clone();
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
    if kept.f.df != made.f.df {
        out.push(format!("{}: word counts differ", kind.file_name()));
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
