//! Where a command's text goes, made safe for a terminal.
//!
//! A log holds text that anyone, or any agent, wrote: an entry whose summary holds `ESC [2J`
//! would clear the screen of whoever lists it. So when the output is a terminal (or
//! `--color always` says to treat it as one), every byte passes through a [`Printer`] that
//! shows each control character as `\x` and two lowercase hex digits of its code point: ESC
//! as `\x1b`, DEL as `\x7f`, CSI (U+009B) as `\x9b`. A newline and a tab are kept, and so is
//! the `\r` of a `\r\n`; a lone `\r` is escaped. A byte that is not part of valid UTF-8 is
//! escaped the same way, so a terminal only ever receives UTF-8 from us. The escaping is for
//! eyes, not for reversing: a backslash in the text is printed as it is.
//!
//! Our own colours must get through: they are written by [`Printer::paint`], which bypasses
//! the escaping, so the printers that colour take a `Printer` rather than any writer.
//!
//! Elsewhere (a pipe, a file) the bytes pass through untouched: `evolver show ID > entry.md`
//! is the entry as it is in its file.

use std::io::{self, BufWriter, Write};

/// A colour or weight, as one SGR code. Used sparingly: IDs and headings bold, status words
/// by what they mean, problems red.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Style {
    Bold,
    Dim,
    Red,
    Green,
    Yellow,
}

impl Style {
    fn sgr(self) -> &'static [u8] {
        match self {
            Style::Bold => b"\x1b[1m",
            Style::Dim => b"\x1b[2m",
            Style::Red => b"\x1b[31m",
            Style::Green => b"\x1b[32m",
            Style::Yellow => b"\x1b[33m",
        }
    }

    /// The style of an entry's status word, compared without regard to case as everywhere.
    pub(super) fn of_status(status: &str) -> Option<Style> {
        match status.trim().to_lowercase().as_str() {
            "pending" | "in_progress" => Some(Style::Yellow),
            "resolved" | "promoted" | "promoted_to_skill" => Some(Style::Green),
            "wont_fix" => Some(Style::Dim),
            _ => None,
        }
    }

    /// The style of a priority: only the two that `status` calls urgent stand out.
    pub(super) fn of_priority(priority: &str) -> Option<Style> {
        match priority.trim().to_lowercase().as_str() {
            "critical" | "high" => Some(Style::Red),
            _ => None,
        }
    }
}

const RESET: &[u8] = b"\x1b[0m";

/// A writer that, for a terminal, escapes control characters and lets our own colours
/// through; otherwise it passes every byte on as it is.
///
/// The escaping is streaming-safe: a `\r` or an unfinished UTF-8 sequence at the end of one
/// `write` is held and judged with the bytes of the next. [`flush`](Write::flush), a
/// [`paint`](Printer::paint) and the drop settle what is held (a `\r` then is lone).
pub(super) struct Printer<W: Write> {
    inner: W,
    escape: bool,
    color: bool,
    /// At most 3 bytes: a trailing `\r`, or the start of a UTF-8 sequence.
    pending: Vec<u8>,
}

impl<W: Write> Printer<W> {
    /// `escape`: the output is a terminal; `color`: paint with SGR codes.
    pub(super) fn new(inner: W, escape: bool, color: bool) -> Printer<W> {
        Printer {
            inner,
            escape,
            color,
            pending: Vec::new(),
        }
    }

    /// Writes `text` (escaped like everything else) in `style`, or plain when colour is off.
    pub(super) fn paint(&mut self, style: Option<Style>, text: &str) -> io::Result<()> {
        match style {
            Some(style) if self.color => {
                self.raw(style.sgr())?;
                self.write_all(text.as_bytes())?;
                self.raw(RESET)
            }
            _ => self.write_all(text.as_bytes()),
        }
    }

    /// [`paint`](Printer::paint), then spaces up to `width` characters, as `{:<width$}` pads.
    pub(super) fn paint_padded(
        &mut self,
        style: Option<Style>,
        text: &str,
        width: usize,
    ) -> io::Result<()> {
        self.paint(style, text)?;
        let pad = width.saturating_sub(text.chars().count());
        write!(self, "{:pad$}", "")
    }

    /// The same printer over a buffer, for many small writes; flush it when done.
    pub(super) fn buffered(&mut self) -> io::Result<Printer<BufWriter<&mut W>>> {
        self.settle()?;
        Ok(Printer::new(
            BufWriter::new(&mut self.inner),
            self.escape,
            self.color,
        ))
    }

    /// Our own SGR code, past the escaping; what is held is settled first.
    fn raw(&mut self, code: &[u8]) -> io::Result<()> {
        self.settle()?;
        self.inner.write_all(code)
    }

    /// Writes what is held as it stands: nothing more will complete it.
    fn settle(&mut self) -> io::Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let held = std::mem::take(&mut self.pending);
        let mut out = Vec::with_capacity(16);
        escape(&mut out, &held, false);
        self.inner.write_all(&out)
    }
}

impl<W: Write> Write for Printer<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if !self.escape {
            return self.inner.write(buf);
        }
        let joined;
        let input = if self.pending.is_empty() {
            buf
        } else {
            joined = [std::mem::take(&mut self.pending).as_slice(), buf].concat();
            &joined
        };
        let mut out = Vec::with_capacity(input.len() + 16);
        let held = escape(&mut out, input, true);
        self.pending = input[input.len() - held..].to_vec();
        self.inner.write_all(&out)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.settle()?;
        self.inner.flush()
    }
}

impl<W: Write> Drop for Printer<W> {
    fn drop(&mut self) {
        // The caller flushes to see errors; a drop can only try.
        let _ = self.settle();
    }
}

/// Appends `input` to `out` with its controls escaped. With `more`, bytes that the next
/// write may change the meaning of (a final `\r`, an unfinished UTF-8 sequence) are left
/// out; returns how many bytes at the end were left.
fn escape(out: &mut Vec<u8>, input: &[u8], more: bool) -> usize {
    let mut rest = input;
    loop {
        let (valid, bad) = match std::str::from_utf8(rest) {
            Ok(_) => (rest.len(), None),
            Err(e) => (e.valid_up_to(), Some(e.error_len())),
        };
        let held = escape_utf8(out, &rest[..valid], more && bad.is_none());
        match bad {
            None => return held,
            Some(Some(n)) => {
                rest[valid..valid + n].iter().for_each(|&b| hex(out, b));
                rest = &rest[valid + n..];
            }
            // An unfinished sequence: only ever at the end.
            Some(None) if more => return rest.len() - valid,
            Some(None) => {
                rest[valid..].iter().for_each(|&b| hex(out, b));
                return 0;
            }
        }
    }
}

/// [`escape`] of valid UTF-8, where a control is one ASCII byte or `C2 80`–`C2 9F`. With
/// `more`, a final `\r` is left out (returns 1).
fn escape_utf8(out: &mut Vec<u8>, s: &[u8], more: bool) -> usize {
    let mut start = 0;
    let mut i = 0;
    while i < s.len() {
        let (code, len) = match s[i] {
            b'\n' | b'\t' => (None, 1),
            b'\r' => match s.get(i + 1) {
                Some(b'\n') => (None, 1),
                None if more => {
                    out.extend_from_slice(&s[start..i]);
                    return 1;
                }
                _ => (Some(b'\r'), 1),
            },
            b @ (0..=0x1f | 0x7f) => (Some(b), 1),
            0xc2 if matches!(s.get(i + 1), Some(0x80..=0x9f)) => (Some(s[i + 1]), 2),
            _ => (None, 1),
        };
        if let Some(code) = code {
            out.extend_from_slice(&s[start..i]);
            hex(out, code);
            start = i + len;
        }
        i += len;
    }
    out.extend_from_slice(&s[start..]);
    0
}

fn hex(out: &mut Vec<u8>, b: u8) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    out.extend_from_slice(&[
        b'\\',
        b'x',
        DIGITS[usize::from(b >> 4)],
        DIGITS[usize::from(b & 0xf)],
    ]);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a terminal receives for these writes, one `write` call each, then a flush.
    fn shown(writes: &[&[u8]]) -> String {
        let mut sink = Vec::new();
        {
            let mut p = Printer::new(&mut sink, true, false);
            for w in writes {
                p.write_all(w).unwrap();
            }
            p.flush().unwrap();
        }
        String::from_utf8(sink).unwrap()
    }

    #[test]
    fn c0_controls_and_del_are_escaped_newline_and_tab_kept() {
        assert_eq!(
            shown(&[b"a\x1b[2Jb\x07\x00\x7f\n\tc"]),
            "a\\x1b[2Jb\\x07\\x00\\x7f\n\tc"
        );
    }

    #[test]
    fn crlf_is_kept_and_a_lone_cr_escaped() {
        assert_eq!(
            shown(&[b"one\r\ntwo\rthree\r"]),
            "one\r\ntwo\\x0dthree\\x0d"
        );
    }

    #[test]
    fn a_cr_at_the_end_of_a_write_is_judged_with_the_next() {
        assert_eq!(shown(&[b"one\r", b"\ntwo\r", b"x"]), "one\r\ntwo\\x0dx");
        assert_eq!(shown(&[b"\r", b"", b"\n"]), "\r\n");
    }

    #[test]
    fn c1_controls_are_escaped_even_split_across_writes() {
        assert_eq!(shown(&[b"a\xc2\x9b2Jb\xc2\x85"]), "a\\x9b2Jb\\x85");
        assert_eq!(shown(&[b"a\xc2", b"\x9b2J"]), "a\\x9b2J");
        // U+00A0 and U+00E9 start with C2 and C3 too, and are text.
        assert_eq!(shown(&[b"\xc2", b"\xa0caf\xc3", b"\xa9"]), "\u{a0}café");
    }

    #[test]
    fn utf8_text_is_untouched_even_split_mid_character() {
        let text = "修复解析器：空输入不应崩溃 🦀 ok";
        assert_eq!(shown(&[text.as_bytes()]), text);
        let bytes = text.as_bytes();
        for cut in 0..bytes.len() {
            assert_eq!(shown(&[&bytes[..cut], &bytes[cut..]]), text, "cut at {cut}");
        }
    }

    #[test]
    fn bytes_that_are_not_utf8_are_escaped() {
        assert_eq!(shown(&[b"a\x9bb\xffc"]), "a\\x9bb\\xffc");
        // An unfinished sequence at the very end is settled by the flush.
        assert_eq!(shown(&[b"a\xe4\xb8"]), "a\\xe4\\xb8");
        assert_eq!(shown(&[b"a\xe4", b"b"]), "a\\xe4b");
    }

    #[test]
    fn drop_settles_what_is_held() {
        let mut sink = Vec::new();
        {
            let mut p = Printer::new(&mut sink, true, false);
            p.write_all(b"end\r").unwrap();
        }
        assert_eq!(sink, b"end\\x0d");
    }

    #[test]
    fn our_own_colours_pass_and_the_text_inside_is_escaped() {
        let mut sink = Vec::new();
        {
            let mut p = Printer::new(&mut sink, true, true);
            p.paint(Some(Style::Bold), "ID\x1b[2J").unwrap();
            p.paint(None, " plain").unwrap();
        }
        assert_eq!(sink, b"\x1b[1mID\\x1b[2J\x1b[0m plain");
    }

    #[test]
    fn without_a_terminal_every_byte_passes_and_nothing_is_painted() {
        let bytes = b"a\x1b[2J\r\xc2\x9b\x7f\xff\r";
        let mut sink = Vec::new();
        {
            let mut p = Printer::new(&mut sink, false, false);
            p.write_all(bytes).unwrap();
            p.paint(Some(Style::Red), "x").unwrap();
        }
        assert_eq!(sink, [&bytes[..], b"x"].concat());
    }

    #[test]
    fn padding_counts_characters_as_format_does() {
        let mut sink = Vec::new();
        {
            let mut p = Printer::new(&mut sink, true, true);
            p.paint_padded(Some(Style::Green), "résolu", 8).unwrap();
            p.write_all(b"|").unwrap();
        }
        assert_eq!(sink, "\x1b[32mrésolu\x1b[0m  |".as_bytes());
        assert_eq!(format!("{:<8}|", "résolu"), "résolu  |");
    }

    #[test]
    fn a_buffered_printer_escapes_and_paints_alike() {
        let mut sink = Vec::new();
        {
            let mut p = Printer::new(&mut sink, true, true);
            p.write_all(b"a\r").unwrap();
            let mut b = p.buffered().unwrap();
            b.paint(Some(Style::Bold), "b\x1b").unwrap();
            b.write_all(b"\r").unwrap();
            b.write_all(b"\n").unwrap();
            b.flush().unwrap();
        }
        assert_eq!(sink, b"a\\x0d\x1b[1mb\\x1b\x1b[0m\r\n");
    }
}
