//! A skim: one streamed pass over a log that learns what appending a new entry needs, without
//! loading or parsing the whole file.
//!
//! An append needs the next free ID, whether a Pattern-Key already occurs (then the entry
//! must be found and updated, which takes a full read), the file's line endings, and the
//! fence or comment the file leaves open at its end. The error detector appends on every
//! failed command, often to a large ERRORS.md, so this pass reads through a small buffer and
//! hands the [`Blocks`] tracker the reader uses only the lines that can open or close a block.

use std::io::Read;
use std::path::Path;

use crate::error::{Error, Result};
use crate::format::blocks::Blocks;

const BUFFER: usize = 256 * 1024;

/// What a skim of one log learned.
#[derive(Debug, Clone, Default)]
pub(crate) struct Skim {
    pub len: u64,
    pub ends_with_newline: bool,
    pub crlf: bool,
    /// What closes a fence or comment left open at the end of the file.
    pub closer: Option<String>,
    /// The Pattern-Key occurs somewhere in the file.
    pub key_found: bool,
    /// The highest sequence number written anywhere after the ID prefix. Mentions outside
    /// live entries count too: that can skip a number, never reuse one.
    pub max_seq: u32,
}

/// Skims the log at `path`; `None` when it does not exist.
pub(crate) fn skim(
    path: &Path,
    id_prefix: &str,
    key: Option<&str>,
    limit: u64,
) -> Result<Option<Skim>> {
    let mut file = match fs_err::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let size = file.metadata()?.len();
    if size > limit {
        return Err(Error::TooLarge {
            path: path.to_owned(),
            size,
            limit,
        });
    }
    let ids = memchr::memmem::Finder::new(id_prefix.as_bytes());
    let key = key.map(|k| memchr::memmem::Finder::new(k.as_bytes()));
    let mut s = Skim::default();
    let mut blocks = Blocks::default();
    let mut buf = vec![0u8; BUFFER];
    let (mut filled, mut base, mut first_line) = (0usize, 0u64, true);
    loop {
        if filled == buf.len() {
            buf.resize(buf.len() * 2, 0);
        }
        let n = file.read(&mut buf[filled..])?;
        filled += n;
        let done = n == 0;
        // Whole lines only, except at the end of the file.
        let end = if done {
            filled
        } else {
            match memchr::memrchr(b'\n', &buf[..filled]) {
                Some(nl) => nl + 1,
                None => continue,
            }
        };
        let batch = &buf[..end];
        if let Err(e) = std::str::from_utf8(batch) {
            // A cut inside a character at the end of a partial batch cannot happen: the
            // batch ends at a newline or at the end of the file.
            return Err(Error::NotUtf8 {
                path: path.to_owned(),
                offset: base as usize + e.valid_up_to(),
            });
        }
        if let Some(k) = &key {
            s.key_found |= k.find(batch).is_some();
        }
        for at in ids.find_iter(batch) {
            let digits = &batch[at + id_prefix.len()..];
            let n = digits.iter().take_while(|b| b.is_ascii_digit()).count();
            // Allocated numbers have three or four digits; a long run is no ID of ours.
            if n <= 6
                && let Some(seq) = std::str::from_utf8(&digits[..n])
                    .ok()
                    .and_then(|d| d.parse().ok())
            {
                s.max_seq = s.max_seq.max(seq);
            }
        }
        if first_line && let Some(nl) = memchr::memchr(b'\n', batch) {
            s.crlf = nl > 0 && batch[nl - 1] == b'\r';
        }
        // Only the lines that can open or close a block are looked at.
        let mut pos = 0;
        while let Some(hit) = blocks.next_change(&batch[pos..]) {
            let at = pos + hit;
            let start = memchr::memrchr(b'\n', &batch[pos..at]).map_or(pos, |i| pos + i + 1);
            let end = memchr::memchr(b'\n', &batch[at..]).map_or(batch.len(), |i| at + i);
            let mut line = &batch[start..end];
            if line.last() == Some(&b'\r') {
                line = &line[..line.len() - 1];
            }
            if first_line && start == 0 {
                line = line.strip_prefix("\u{feff}".as_bytes()).unwrap_or(line);
            }
            blocks.step(line);
            pos = end + 1;
            if pos >= batch.len() {
                break;
            }
        }
        first_line = false;
        if let Some(&last) = batch.last() {
            s.ends_with_newline = last == b'\n';
        }
        base += end as u64;
        buf.copy_within(end..filled, 0);
        filled -= end;
        if done {
            break;
        }
    }
    s.len = base;
    s.closer = blocks.closer();
    Ok(Some(s))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::Document;

    fn skim_text(text: &str, key: Option<&str>) -> Skim {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ERRORS.md");
        std::fs::write(&path, text).unwrap();
        skim(&path, "ERR-20261122-", key, u64::MAX)
            .unwrap()
            .unwrap()
    }

    #[test]
    fn agrees_with_the_reader_on_what_is_left_open() {
        for text in [
            "# Errors\n",
            "# E\n```\nopen",
            "# E\r\n~~~~\r\n## [ERR-20261122-001] x\r\n~~~\r\n",
            "# E\n<!--\n## [ERR-20261122-001] x\n",
            "\u{feff}```\n```## [ERR-20261122-002] glued\n````\n",
            "",
        ] {
            let s = skim_text(text, None);
            let doc = Document::parse(text.as_bytes().to_vec());
            assert_eq!(s.closer.as_deref(), doc.unclosed(), "{text:?}");
            assert_eq!(s.len, text.len() as u64);
            assert_eq!(s.ends_with_newline, text.ends_with('\n'));
        }
        assert!(skim_text("a\r\nb", None).crlf);
        assert!(!skim_text("a\nb\r\n", None).crlf);
    }

    proptest::proptest! {
        /// The skim and the reader must never disagree on what the file leaves open, or an
        /// append could land inside a block.
        #[test]
        fn never_disagrees_with_the_reader(lines in proptest::collection::vec(
            proptest::string::string_regex("(```|~~~~|~~~|<!--|-->|<!-- x -->|  ```|    ```|\\u{feff}```|```## \\[ERR-20261122-001\\] x|## \\[ERR-20261122-00[1-9]\\] y|text|\r)?[a-z`~ ]{0,6}").unwrap(),
            0..40,
        ), crlf in proptest::bool::ANY) {
            let text = lines.join(if crlf { "\r\n" } else { "\n" });
            let s = skim_text(&text, None);
            let doc = Document::parse(text.clone().into_bytes());
            proptest::prop_assert_eq!(s.closer.as_deref(), doc.unclosed());
            let live_max = doc.entries().iter().filter_map(|e| e.id.seq_number()).max().unwrap_or(0);
            proptest::prop_assert!(s.max_seq >= live_max);
        }
    }

    #[test]
    fn finds_keys_and_the_highest_sequence() {
        let text = "## [ERR-20261122-007] a\n- Pattern-Key: cmd.ls.1\n- See Also: ERR-20261122-012\n## [ERR-20261121-099] b\n";
        let s = skim_text(text, Some("cmd.ls.1"));
        assert!(s.key_found);
        assert_eq!(s.max_seq, 12);
        assert!(!skim_text(text, Some("cmd.ls.2")).key_found);
    }

    #[test]
    fn lines_longer_than_the_buffer_are_read_whole() {
        let long = "x".repeat(BUFFER * 3);
        let text = format!("```\n{long}\n```\n## [ERR-20261122-003] a\n");
        let s = skim_text(&text, Some(&long[..100]));
        assert!(s.key_found && s.closer.is_none() && s.max_seq == 3);
    }

    #[test]
    fn bytes_that_are_not_utf8_are_refused_with_their_offset() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ERRORS.md");
        std::fs::write(&path, b"ok\n\xff\n").unwrap();
        let err = skim(&path, "ERR-", None, u64::MAX).unwrap_err();
        assert!(matches!(err, Error::NotUtf8 { offset: 3, .. }), "{err}");
    }
}
