//! The bytes of an index: four files per log. The front file holds the log's stamp and
//! end and the short sections the error detector's success path reads, with a checksum; it is
//! replaced whole by a rename. The rows are in two column files: the hot one (word signature
//! and flags), which the activator reads whole, and the cold one (where each entry lies,
//! hashes, the start of `Logged`), which it reads only for the entries that can rank. Every
//! row carries its own checksum, so a writer can change a few rows where they lie and a
//! damaged row is refused, never believed. Every number is little-endian.
//!
//! ```text
//! NAME.idx    magic "EVIDX\0\0\x05", log stamp, tail flags, section sizes  (HEADER bytes)
//!             seqs    n × (date [8], highest sequence u32)
//!             open    n × (command hash u64, row u32)
//!             closer  the line that closes a block the log leaves open
//!             reading what read the terms (u64, [`READING`]), the terms column's
//!                     length u64
//!             df      entries u64, their total length u64, BUCKETS × document
//!                     frequency u32 (what relevance weighs terms by)
//!             checksum of everything above (u64)
//! NAME.hot    rows × (signature [u64; 8], flags u32, checksum u32)         (HOT bytes)
//! NAME.cold   rows × (Logged's first 24 bytes, offset u32, length u32, Pattern-Key hash
//!                     u32, ID hash u32, command hash u64, terms offset u32,
//!                     flags u32, checksum u32)                              (COLD bytes)
//! NAME.terms  per entry, where its cold row points: its length u32, n u32,
//!             n × (term u32, weighted count u32), checksum u32
//! ```

use crate::relevance::{BUCKETS, Df, Doc, Signature};
use crate::store::index::stamp::Stamp;

pub(crate) const MAGIC: &[u8; 8] = b"EVIDX\0\0\x05";
pub(crate) const HEADER: usize = 8 + 48 + 4 + 16;
pub(crate) const HOT: usize = 72;
/// The bytes of the reading, the terms column's length and the document frequencies.
const DF: usize = 32 + BUCKETS * 4;

/// A fingerprint of what decides the terms an index keeps: the relevance code (word lists,
/// stems, concepts, weights, hashes) and the fields it reads. An index made by another
/// build's reading is stale, so a change to `concepts.txt` never mixes old and new terms.
pub(crate) const READING: u64 = fnv(&[
    include_bytes!("../../relevance/mod.rs"),
    include_bytes!("../../relevance/text.rs"),
    include_bytes!("../../relevance/concepts.rs"),
    include_bytes!("../../relevance/concepts.txt"),
    include_bytes!("../../format/words.rs"),
]);

const fn fnv(parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut p = 0;
    while p < parts.len() {
        let mut i = 0;
        while i < parts[p].len() {
            h = (h ^ parts[p][i] as u64).wrapping_mul(0x0100_0000_01b3);
            i += 1;
        }
        p += 1;
    }
    h
}
pub(crate) const COLD: usize = 60;

/// Where the flags start in a hot row: after the signature.
pub(crate) const SIG: usize = 64;

pub(crate) const PENDING: u32 = 1;
pub(crate) const WONT_FIX: u32 = 1 << 1;
pub(crate) const OPEN: u32 = 1 << 2;
/// Bits 4 and 5: the verification standing (0 none, 1 awaiting, 2 eligible, 3 held).
pub(crate) const VERIFICATION_SHIFT: u32 = 4;
/// Bits 8 to 12: how many bytes of `Logged` the row holds (at most 24).
pub(crate) const LOGGED_SHIFT: u32 = 8;
/// `Logged` is longer than the bytes the row holds.
pub(crate) const LOGGED_LONGER: u32 = 1 << 13;
/// How many bytes of `Logged` a row holds: enough for `2026-12-03T10:30:00Z` and
/// `2026-12-03T10:30:00.123Z`, so that ties in ranking are settled by the row.
pub(crate) const LOGGED: usize = 24;

/// The header and short sections.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Front {
    pub stamp: Stamp,
    pub ends_with_newline: bool,
    pub crlf: bool,
    /// The log holds a line break somewhere (else its line endings are not known yet).
    pub any_newline: bool,
    pub closer: Option<String>,
    pub seqs: Vec<([u8; 8], u32)>,
    pub open: Vec<(u64, u32)>,
    pub rows: usize,
    /// How many bytes of the terms column this front vouches for.
    pub terms_len: u64,
    /// The document frequencies of the terms relevance reads in this log.
    pub df: Df,
}

/// One entry's row, as fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Row {
    pub sig: Signature,
    pub logged: [u8; LOGGED],
    pub offset: u32,
    pub len: u32,
    pub flags: u32,
    pub key: u32,
    pub id: u32,
    pub cmd: u64,
    /// Where the entry's terms start in the `.terms` file.
    pub terms: u32,
}

impl Row {
    pub(crate) fn write_hot(&self, out: &mut [u8]) {
        for (k, w) in self.sig.iter().enumerate() {
            out[k * 8..k * 8 + 8].copy_from_slice(&w.to_le_bytes());
        }
        out[SIG..SIG + 4].copy_from_slice(&self.flags.to_le_bytes());
        let sum = checksum(&out[..SIG + 4]) as u32;
        out[SIG + 4..SIG + 8].copy_from_slice(&sum.to_le_bytes());
    }

    /// Whether a hot row's checksum holds.
    pub(crate) fn hot_ok(hot: &[u8]) -> bool {
        checksum(&hot[..SIG + 4]) as u32 == get32(hot, SIG + 4)
    }

    /// Whether a cold row's checksum holds.
    pub(crate) fn cold_ok(cold: &[u8]) -> bool {
        checksum(&cold[..56]) as u32 == get32(cold, 56)
    }

    pub(crate) fn write_cold(&self, out: &mut [u8]) {
        out[0..24].copy_from_slice(&self.logged);
        out[24..28].copy_from_slice(&self.offset.to_le_bytes());
        out[28..32].copy_from_slice(&self.len.to_le_bytes());
        out[32..36].copy_from_slice(&self.key.to_le_bytes());
        out[36..40].copy_from_slice(&self.id.to_le_bytes());
        out[40..48].copy_from_slice(&self.cmd.to_le_bytes());
        out[48..52].copy_from_slice(&self.terms.to_le_bytes());
        out[52..56].copy_from_slice(&self.flags.to_le_bytes());
        let sum = checksum(&out[..56]) as u32;
        out[56..60].copy_from_slice(&sum.to_le_bytes());
    }

    /// A row from its cold half alone (its signature left empty); `None` when it fails its
    /// checksum. The cold half holds the flags too, so that a writer need not read the hot
    /// column.
    pub(crate) fn read(cold: &[u8]) -> Option<Row> {
        if !Row::cold_ok(cold) {
            return None;
        }
        Some(Row {
            sig: [0; 8],
            flags: get32(cold, 52),
            logged: cold[0..24].try_into().expect("24 bytes"),
            offset: get32(cold, 24),
            len: get32(cold, 28),
            key: get32(cold, 32),
            id: get32(cold, 36),
            cmd: get64(cold, 40),
            terms: get32(cold, 48),
        })
    }
}

/// A fast checksum for telling a damaged file: four 64-bit lanes of multiply and rotate.
pub(crate) fn checksum(bytes: &[u8]) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut lanes = [1u64, 2, 3, 4];
    let mut chunks = bytes.chunks_exact(32);
    for c in &mut chunks {
        for (i, lane) in lanes.iter_mut().enumerate() {
            let w = u64::from_le_bytes(c[i * 8..i * 8 + 8].try_into().expect("8 bytes"));
            *lane = (*lane ^ w).wrapping_mul(K).rotate_left(31);
        }
    }
    let mut h = bytes.len() as u64;
    for l in lanes {
        h = (h ^ l).wrapping_mul(K).rotate_left(27);
    }
    for &b in chunks.remainder() {
        h = (h ^ u64::from(b)).wrapping_mul(K).rotate_left(13);
    }
    h ^ (h >> 29)
}

/// Appends an entry's terms to a `.terms` column.
pub(crate) fn encode_terms(doc: &Doc, out: &mut Vec<u8>) {
    let at = out.len();
    put32(out, crate::relevance::Counts::length(doc));
    put32(out, doc.counts().len() as u32);
    for (term, n) in doc.counts() {
        put32(out, *term);
        put32(out, *n);
    }
    let sum = checksum(&out[at..]) as u32;
    put32(out, sum);
}

/// How many bytes the terms record starting with `head` (its first 8 bytes) takes.
pub(crate) fn terms_len(head: &[u8]) -> Option<usize> {
    let n = usize::try_from(get32(head, 4)).ok()?;
    n.checked_mul(8)?.checked_add(12)
}

/// An entry's terms read where they lie in a `.terms` column, without copying them.
pub(crate) struct TermsView<'a> {
    len: u32,
    pairs: &'a [u8],
}

impl TermsView<'_> {
    /// The terms record at the start of `bytes`, checked.
    pub(crate) fn of(bytes: &[u8]) -> Option<TermsView<'_>> {
        if bytes.len() < 12 {
            return None;
        }
        let size = terms_len(bytes)?;
        let record = bytes.get(..size)?;
        if checksum(&record[..size - 4]) as u32 != get32(record, size - 4) {
            return None;
        }
        Some(TermsView {
            len: get32(record, 0),
            pairs: &record[8..size - 4],
        })
    }
}

impl crate::relevance::Counts for TermsView<'_> {
    fn length(&self) -> u32 {
        self.len
    }
    fn tf(&self, term: u32) -> u32 {
        let (mut lo, mut hi) = (0, self.pairs.len() / 8);
        while lo < hi {
            let mid = (lo + hi) / 2;
            let t = get32(self.pairs, mid * 8);
            match t.cmp(&term) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return get32(self.pairs, mid * 8 + 4),
            }
        }
        0
    }
}

/// Reads the terms record at the start of `bytes`, checking its checksum.
pub(crate) fn decode_terms(bytes: &[u8]) -> Option<Doc> {
    let view = TermsView::of(bytes)?;
    let counts = view
        .pairs
        .chunks_exact(8)
        .map(|c| (get32(c, 0), get32(c, 4)))
        .collect();
    Doc::from_parts(counts, view.len)
}

/// The header and short sections, with their checksum.
pub(crate) fn encode_front(f: &Front) -> Vec<u8> {
    let closer = f.closer.as_deref().unwrap_or("");
    let mut out = Vec::with_capacity(HEADER + (f.seqs.len() + f.open.len()) * 12 + DF + 16);
    out.extend_from_slice(MAGIC);
    let s = &f.stamp;
    put64(&mut out, s.len);
    put64(&mut out, s.mtime.0 as u64);
    put32(&mut out, s.mtime.1);
    put64(&mut out, s.ctime.0 as u64);
    put32(&mut out, s.ctime.1);
    put64(&mut out, s.ino);
    put64(&mut out, s.dev);
    out.extend_from_slice(&[
        u8::from(f.ends_with_newline),
        u8::from(f.crlf),
        u8::from(f.closer.is_some()),
        u8::from(f.any_newline),
    ]);
    for n in [f.seqs.len(), f.open.len(), f.rows, closer.len()] {
        put32(&mut out, n as u32);
    }
    debug_assert_eq!(out.len(), HEADER);
    for (date, seq) in &f.seqs {
        out.extend_from_slice(date);
        put32(&mut out, *seq);
    }
    for (cmd, row) in &f.open {
        put64(&mut out, *cmd);
        put32(&mut out, *row);
    }
    out.extend_from_slice(closer.as_bytes());
    put64(&mut out, READING);
    put64(&mut out, f.terms_len);
    put64(&mut out, f.df.docs);
    put64(&mut out, f.df.total_len);
    for b in &f.df.buckets {
        put32(&mut out, *b);
    }
    let sum = checksum(&out);
    put64(&mut out, sum);
    out
}

/// How many bytes the header and short sections take, from the header alone (not yet checked).
fn front_len(bytes: &[u8]) -> Option<usize> {
    if bytes.len() < HEADER || &bytes[..8] != MAGIC {
        return None;
    }
    let n = |i: usize| get32(bytes, 60 + i * 4) as usize;
    Some(HEADER + n(0) * 12 + n(1) * 12 + n(3) + DF + 8)
}

/// Reads the header and the short sections, checking their checksum.
pub(crate) fn decode_front(bytes: &[u8]) -> Option<Front> {
    let front = front_len(bytes)?;
    if bytes.len() < front || checksum(&bytes[..front - 8]) != get64(bytes, front - 8) {
        return None;
    }
    let sizes = [0, 1, 2, 3].map(|i| get32(bytes, 60 + i * 4) as usize);
    let mut f = Front {
        stamp: Stamp {
            len: get64(bytes, 8),
            mtime: (get64(bytes, 16) as i64, get32(bytes, 24)),
            ctime: (get64(bytes, 28) as i64, get32(bytes, 36)),
            ino: get64(bytes, 40),
            dev: get64(bytes, 48),
        },
        ends_with_newline: bytes[56] == 1,
        crlf: bytes[57] == 1,
        any_newline: bytes[59] == 1,
        rows: sizes[2],
        ..Front::default()
    };
    let mut at = HEADER;
    for _ in 0..sizes[0] {
        let date: [u8; 8] = bytes[at..at + 8].try_into().ok()?;
        f.seqs.push((date, get32(bytes, at + 8)));
        at += 12;
    }
    for _ in 0..sizes[1] {
        f.open.push((get64(bytes, at), get32(bytes, at + 8)));
        at += 12;
    }
    if bytes[58] == 1 {
        f.closer = Some(String::from_utf8(bytes[at..at + sizes[3]].to_vec()).ok()?);
    }
    at += sizes[3];
    if get64(bytes, at) != READING {
        return None;
    }
    f.terms_len = get64(bytes, at + 8);
    at += 16;
    f.df = Df {
        docs: get64(bytes, at),
        total_len: get64(bytes, at + 8),
        buckets: bytes[at + 16..at + DF - 16]
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes(c.try_into().expect("4 bytes")))
            .collect(),
    };
    if f.df.docs != f.rows as u64 {
        return None;
    }
    if f.open.iter().any(|(_, r)| *r as usize >= f.rows) {
        return None;
    }
    Some(f)
}

fn put32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn put64(out: &mut Vec<u8>, v: u64) {
    out.extend_from_slice(&v.to_le_bytes());
}

pub(crate) fn get32(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().expect("4 bytes"))
}

pub(crate) fn get64(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().expect("8 bytes"))
}
