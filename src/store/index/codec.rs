//! The index file's bytes: a fixed header and the short sections the error detector's
//! success path reads, then one fixed-size row per entry. Every number is little-endian;
//! each part ends in a checksum, so a damaged file is refused, never believed. Rows are read
//! where they lie in the file's buffer, never copied out one by one.
//!
//! ```text
//! magic "EVIDX\0\0\x02"
//! header   log stamp, tail flags, section sizes             (HEADER bytes)
//! seqs     n × (date [8], highest sequence u32)
//! open     n × (command hash u64, row u32)
//! closer   the line that closes a block the log leaves open
//! checksum of everything above (u64)
//! rows     n × ROW bytes:
//!          signature [u64; 2], Logged's first 16 bytes, offset u32, length u32,
//!          flags u32, Pattern-Key hash u32, ID hash u32, command hash u64
//! checksum of the rows (u64)
//! ```

use crate::format::words::Signature;
use crate::store::index::stamp::Stamp;

pub(crate) const MAGIC: &[u8; 8] = b"EVIDX\0\0\x02";
pub(crate) const HEADER: usize = 8 + 48 + 4 + 16;
pub(crate) const ROW: usize = 60;

pub(crate) const PENDING: u32 = 1;
pub(crate) const WONT_FIX: u32 = 1 << 1;
pub(crate) const OPEN: u32 = 1 << 2;
/// Bits 4 and 5: the verification standing (0 none, 1 awaiting, 2 eligible, 3 held).
pub(crate) const VERIFICATION_SHIFT: u32 = 4;
/// Bits 8 to 12: how many bytes of `Logged` the row holds (at most 16).
pub(crate) const LOGGED_SHIFT: u32 = 8;
/// `Logged` is longer than the 16 bytes the row holds.
pub(crate) const LOGGED_LONGER: u32 = 1 << 13;

/// The header and short sections.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Front {
    pub stamp: Stamp,
    pub ends_with_newline: bool,
    pub crlf: bool,
    pub closer: Option<String>,
    pub seqs: Vec<([u8; 8], u32)>,
    pub open: Vec<(u64, u32)>,
    pub rows: usize,
}

/// One entry's row, as fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Row {
    pub sig: Signature,
    pub logged: [u8; 16],
    pub offset: u32,
    pub len: u32,
    pub flags: u32,
    pub key: u32,
    pub id: u32,
    pub cmd: u64,
}

impl Row {
    pub(crate) fn write(&self, out: &mut [u8]) {
        out[0..8].copy_from_slice(&self.sig[0].to_le_bytes());
        out[8..16].copy_from_slice(&self.sig[1].to_le_bytes());
        out[16..32].copy_from_slice(&self.logged);
        out[32..36].copy_from_slice(&self.offset.to_le_bytes());
        out[36..40].copy_from_slice(&self.len.to_le_bytes());
        out[40..44].copy_from_slice(&self.flags.to_le_bytes());
        out[44..48].copy_from_slice(&self.key.to_le_bytes());
        out[48..52].copy_from_slice(&self.id.to_le_bytes());
        out[52..60].copy_from_slice(&self.cmd.to_le_bytes());
    }

    pub(crate) fn read(b: &[u8]) -> Row {
        Row {
            sig: [get64(b, 0), get64(b, 8)],
            logged: b[16..32].try_into().expect("16 bytes"),
            offset: get32(b, 32),
            len: get32(b, 36),
            flags: get32(b, 40),
            key: get32(b, 44),
            id: get32(b, 48),
            cmd: get64(b, 52),
        }
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

/// The header and short sections, with their checksum.
pub(crate) fn encode_front(f: &Front) -> Vec<u8> {
    let closer = f.closer.as_deref().unwrap_or("");
    let mut out = Vec::with_capacity(HEADER + (f.seqs.len() + f.open.len()) * 12 + 16);
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
        0,
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
    let sum = checksum(&out);
    put64(&mut out, sum);
    out
}

/// How many bytes the header and short sections take, from the header alone.
pub(crate) fn front_len(bytes: &[u8]) -> Option<usize> {
    if bytes.len() < HEADER || &bytes[..8] != MAGIC {
        return None;
    }
    let n = |i: usize| get32(bytes, 60 + i * 4) as usize;
    Some(HEADER + n(0) * 12 + n(1) * 12 + n(3) + 8)
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
    if f.open.iter().any(|(_, r)| *r as usize >= f.rows) {
        return None;
    }
    Some(f)
}

/// Checks a whole index file: its front, and its rows where they lie. Returns the front and
/// where the rows start.
pub(crate) fn decode(bytes: &[u8]) -> Option<(Front, usize)> {
    let f = decode_front(bytes)?;
    let at = front_len(bytes)?;
    let end = at.checked_add(f.rows.checked_mul(ROW)?)?;
    if bytes.len() != end.checked_add(8)? || checksum(&bytes[at..end]) != get64(bytes, end) {
        return None;
    }
    Some((f, at))
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
