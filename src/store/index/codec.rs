//! The index file's bytes: a fixed header, the short sections the error detector's success
//! path reads, then one fixed-size row per entry and a pool of strings. Every number is
//! little-endian; each part ends in a checksum, so a damaged file is refused, never believed.
//!
//! ```text
//! magic "EVIDX\0\0\x01"
//! header   log stamp, tail, counts, section sizes        (HEADER bytes)
//! seqs     n × (date [8], highest sequence u32)
//! open     n × (command hash u64, row u32)
//! checksum of everything above (u64)
//! rows     n × ROW bytes
//! pool     strings the rows point into
//! checksum of rows and pool (u64)
//! ```

use crate::format::words::Signature;
use crate::store::index::stamp::Stamp;

pub(crate) const MAGIC: &[u8; 8] = b"EVIDX\0\0\x01";
/// Magic and header.
pub(crate) const HEADER: usize = 8 + 48 + 4 + 16 + 16 + 8;
pub(crate) const ROW: usize = 80;

/// A string in the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Str {
    pub off: u32,
    pub len: u32,
}

/// One entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Row {
    /// Where the entry's bytes start in the log, and how many there are (to the next entry).
    pub offset: u64,
    pub len: u32,
    pub flags: u32,
    pub id: Str,
    pub logged: Str,
    pub key: Str,
    /// The command and working directory of a failure, hashed; 0 for none.
    pub cmd: u64,
    pub sig: Signature,
}

pub(crate) const PENDING: u32 = 1;
pub(crate) const WONT_FIX: u32 = 1 << 1;
pub(crate) const OPEN: u32 = 1 << 2;
/// Bits 4 and 5: the verification standing (0 none, 1 awaiting, 2 eligible, 3 held).
pub(crate) const VERIFICATION_SHIFT: u32 = 4;

/// Everything in an index file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Parts {
    pub stamp: Stamp,
    pub ends_with_newline: bool,
    pub crlf: bool,
    pub closer: Option<Str>,
    pub counts: [u32; 4],
    pub seqs: Vec<([u8; 8], u32)>,
    pub open: Vec<(u64, u32)>,
    pub rows: Vec<Row>,
    pub pool: Vec<u8>,
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

pub(crate) fn encode(p: &Parts) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER + p.rows.len() * ROW + p.pool.len() + 64);
    out.extend_from_slice(MAGIC);
    let s = &p.stamp;
    put64(&mut out, s.len);
    put64(&mut out, s.mtime.0 as u64);
    put32(&mut out, s.mtime.1);
    put64(&mut out, s.ctime.0 as u64);
    put32(&mut out, s.ctime.1);
    put64(&mut out, s.ino);
    put64(&mut out, s.dev);
    out.extend_from_slice(&[
        u8::from(p.ends_with_newline),
        u8::from(p.crlf),
        u8::from(p.closer.is_some()),
        0,
    ]);
    for c in p.counts {
        put32(&mut out, c);
    }
    for n in [p.seqs.len(), p.open.len(), p.rows.len(), p.pool.len()] {
        put32(&mut out, n as u32);
    }
    let closer = p.closer.unwrap_or_default();
    put32(&mut out, closer.off);
    put32(&mut out, closer.len);
    debug_assert_eq!(out.len(), HEADER);
    for (date, seq) in &p.seqs {
        out.extend_from_slice(date);
        put32(&mut out, *seq);
    }
    for (cmd, row) in &p.open {
        put64(&mut out, *cmd);
        put32(&mut out, *row);
    }
    let sum = checksum(&out);
    put64(&mut out, sum);
    let body = out.len();
    for r in &p.rows {
        put64(&mut out, r.offset);
        put32(&mut out, r.len);
        put32(&mut out, r.flags);
        for s in [r.id, r.logged, r.key] {
            put32(&mut out, s.off);
            put32(&mut out, s.len);
        }
        put64(&mut out, r.cmd);
        for w in r.sig {
            put64(&mut out, w);
        }
    }
    out.extend_from_slice(&p.pool);
    let sum = checksum(&out[body..]);
    put64(&mut out, sum);
    out
}

/// The sizes of the sections after the header, or `None` for a file that is not an index.
pub(crate) fn front_len(bytes: &[u8]) -> Option<usize> {
    if bytes.len() < HEADER || &bytes[..8] != MAGIC {
        return None;
    }
    let n = |i: usize| get32(bytes, 8 + 48 + 4 + 16 + i * 4) as usize;
    Some(HEADER + n(0) * 12 + n(1) * 12 + 8)
}

/// Reads the header and the short sections (not the rows), checking their checksum.
pub(crate) fn decode_front(bytes: &[u8]) -> Option<Parts> {
    let front = front_len(bytes)?;
    if bytes.len() < front {
        return None;
    }
    if checksum(&bytes[..front - 8]) != get64(bytes, front - 8) {
        return None;
    }
    let mut at = 8;
    let mut next64 = || {
        at += 8;
        get64(bytes, at - 8)
    };
    let len = next64();
    let mtime_s = next64() as i64;
    let mtime_ns = get32(bytes, 8 + 16);
    let ctime_s = get64(bytes, 8 + 20) as i64;
    let ctime_ns = get32(bytes, 8 + 28);
    let ino = get64(bytes, 8 + 32);
    let dev = get64(bytes, 8 + 40);
    let flags = &bytes[56..60];
    let counts = [0, 1, 2, 3].map(|i| get32(bytes, 60 + i * 4));
    let sizes = [0, 1, 2, 3].map(|i| get32(bytes, 76 + i * 4) as usize);
    let closer = Str {
        off: get32(bytes, 92),
        len: get32(bytes, 96),
    };
    let mut p = Parts {
        stamp: Stamp {
            len,
            mtime: (mtime_s, mtime_ns),
            ctime: (ctime_s, ctime_ns),
            ino,
            dev,
        },
        ends_with_newline: flags[0] == 1,
        crlf: flags[1] == 1,
        closer: (flags[2] == 1).then_some(closer),
        counts,
        ..Parts::default()
    };
    let mut at = HEADER;
    for _ in 0..sizes[0] {
        let date: [u8; 8] = bytes[at..at + 8].try_into().ok()?;
        p.seqs.push((date, get32(bytes, at + 8)));
        at += 12;
    }
    for _ in 0..sizes[1] {
        p.open.push((get64(bytes, at), get32(bytes, at + 8)));
        at += 12;
    }
    Some(p)
}

/// Reads a whole index file, or `None` when any part of it is damaged.
pub(crate) fn decode(bytes: &[u8]) -> Option<Parts> {
    let mut p = decode_front(bytes)?;
    let front = front_len(bytes)?;
    let rows = get32(bytes, 84) as usize;
    let pool = get32(bytes, 88) as usize;
    let end = front
        .checked_add(rows.checked_mul(ROW)?)?
        .checked_add(pool)?;
    if bytes.len() != end + 8 || checksum(&bytes[front..end]) != get64(bytes, end) {
        return None;
    }
    let pool_at = front + rows * ROW;
    p.pool = bytes[pool_at..end].to_vec();
    let in_pool = |s: Str| {
        (s.off as usize)
            .checked_add(s.len as usize)
            .is_some_and(|e| e <= pool)
    };
    p.rows = Vec::with_capacity(rows);
    for i in 0..rows {
        let at = front + i * ROW;
        let s = |k: usize| Str {
            off: get32(bytes, at + 16 + k * 8),
            len: get32(bytes, at + 20 + k * 8),
        };
        let row = Row {
            offset: get64(bytes, at),
            len: get32(bytes, at + 8),
            flags: get32(bytes, at + 12),
            id: s(0),
            logged: s(1),
            key: s(2),
            cmd: get64(bytes, at + 40),
            sig: [0, 1, 2, 3].map(|k| get64(bytes, at + 48 + k * 8)),
        };
        if ![row.id, row.logged, row.key].into_iter().all(in_pool) {
            return None;
        }
        p.rows.push(row);
    }
    if p.closer.is_some_and(|c| !in_pool(c)) || p.open.iter().any(|(_, r)| *r as usize >= rows) {
        return None;
    }
    Some(p)
}

fn put32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn put64(out: &mut Vec<u8>, v: u64) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn get32(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().expect("4 bytes"))
}

fn get64(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().expect("8 bytes"))
}
