//! Codex's exit codes, which its `PostToolUse` payload does not carry.
//!
//! Codex writes a JSONL transcript of the session (`transcript_path`). When a command ends it
//! appends an `item_completed` event whose `item.id` is the hook's `tool_use_id` and whose
//! `item.exit_code` is the exit code, before it runs the hook. The file grows with the
//! session, so it is read backwards from its end, in blocks, and only lines that name the
//! item are parsed: the cost depends on how far back the event is, not on the file's size.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::Value;

/// How far back from the end to look. The event is normally among the last few lines.
const MAX_SCAN: u64 = 8 * 1024 * 1024;
const BLOCK: usize = 64 * 1024;

/// The exit code of item `id`, re-reading a few times within `patience` when the event has
/// not been written yet. `None` when the file cannot be read or never names the item.
pub fn exit_code(path: &Path, id: &str, patience: Duration) -> Option<i64> {
    // Only a regular file: opening a FIFO would wait for a writer forever.
    if !std::fs::metadata(path).ok()?.is_file() || id.is_empty() {
        return None;
    }
    let start = Instant::now();
    loop {
        if let Some(code) = scan(&mut File::open(path).ok()?, id) {
            return Some(code);
        }
        if start.elapsed() >= patience {
            return None;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
}

/// Searches backwards from the end for the quoted item id; each line holding it is read
/// whole (however long) and asked for an exit code.
fn scan(file: &mut File, id: &str) -> Option<i64> {
    let len = file.metadata().ok()?.len();
    let needle = format!("\"{id}\"");
    let finder = memchr::memmem::FinderRev::new(needle.as_bytes());
    let floor = len.saturating_sub(MAX_SCAN);
    let overlap = needle.len() as u64 - 1;
    let mut block = Vec::new();
    // Hits that start before `end` are still to be looked at.
    let mut end = len;
    while end > floor {
        let start = end.saturating_sub(BLOCK as u64).max(floor);
        // Read a little past `end` so that a hit starting just before it is whole.
        read_at(
            file,
            start,
            ((end + overlap).min(len) - start) as usize,
            &mut block,
        )?;
        let mut limit = block.len();
        end = start;
        while let Some(hit) = finder.rfind(&block[..limit]) {
            let at = start + hit as u64;
            // A line longer than the whole search window is not read: give up.
            let (line_start, line_end) = line_around(file, at, len)?;
            if line_end - line_start > MAX_SCAN {
                return None;
            }
            let mut line = Vec::new();
            read_at(
                file,
                line_start,
                (line_end - line_start) as usize,
                &mut line,
            )?;
            if let Some(code) = line_code(&line, id) {
                return Some(code);
            }
            if line_start <= start {
                // The line began before this block: go on from its start.
                end = line_start;
                break;
            }
            limit = (line_start - start) as usize;
        }
    }
    None
}

/// The line (without its newline) around byte `at`; a line longer than [`MAX_SCAN`] is
/// not walked to its ends, only past that length.
fn line_around(file: &mut File, at: u64, len: u64) -> Option<(u64, u64)> {
    let mut buf = Vec::new();
    let mut start = at;
    while start > 0 && at - start <= MAX_SCAN {
        let from = start.saturating_sub(BLOCK as u64);
        read_at(file, from, (start - from) as usize, &mut buf)?;
        if let Some(nl) = memchr::memrchr(b'\n', &buf) {
            start = from + nl as u64 + 1;
            break;
        }
        start = from;
    }
    let mut end = at;
    while end < len && end - start <= MAX_SCAN {
        let to = (end + BLOCK as u64).min(len);
        read_at(file, end, (to - end) as usize, &mut buf)?;
        if let Some(nl) = memchr::memchr(b'\n', &buf) {
            end += nl as u64;
            return Some((start, end));
        }
        end = to;
    }
    Some((start, end))
}

fn read_at(file: &mut File, at: u64, n: usize, buf: &mut Vec<u8>) -> Option<()> {
    buf.resize(n, 0);
    file.seek(SeekFrom::Start(at)).ok()?;
    file.read_exact(buf).ok()
}

/// The exit code a transcript line records for item `id`, if it is such a line.
fn line_code(line: &[u8], id: &str) -> Option<i64> {
    let value: Value = serde_json::from_slice(line).ok()?;
    let payload = value.get("payload")?;
    match payload.get("type")?.as_str()? {
        "item_completed" => {
            let item = payload.get("item")?;
            (item.get("id")?.as_str()? == id).then(|| item.get("exit_code")?.as_i64())?
        }
        // The model-facing copy of the output states the code too.
        "function_call_output" if payload.get("call_id")?.as_str()? == id => {
            exit_line(payload.get("output")?.as_str()?)
        }
        _ => None,
    }
}

/// The code in a `Process exited with code N` or `Exit code: N` line of a tool's output.
pub fn exit_line(text: &str) -> Option<i64> {
    text.lines().take(8).find_map(|line| {
        let line = line.trim();
        let rest = line
            .strip_prefix("Process exited with code ")
            .or_else(|| line.strip_prefix("Exit code: "))?;
        rest.trim().parse().ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_item_from_the_end_of_a_long_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.jsonl");
        let mut text = String::new();
        for i in 0..20_000 {
            text.push_str(&format!(
                "{{\"type\":\"noise\",\"n\":{i},\"pad\":\"{}\"}}\n",
                "x".repeat(50)
            ));
        }
        text.push_str(r#"{"type":"event_msg","payload":{"type":"item_completed","item":{"type":"CommandExecution","id":"call_7","exit_code":4}}}"#);
        text.push('\n');
        std::fs::write(&path, &text).unwrap();
        assert_eq!(exit_code(&path, "call_7", Duration::ZERO), Some(4));
        assert_eq!(exit_code(&path, "call_8", Duration::ZERO), None);
        assert_eq!(exit_code(dir.path(), "call_7", Duration::ZERO), None);
    }

    #[test]
    fn a_line_longer_than_a_block_is_read_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.jsonl");
        let big = "y".repeat(5 * BLOCK);
        let text = format!(
            "{{\"payload\":{{\"type\":\"item_completed\",\"item\":{{\"id\":\"call_1\",\"aggregated_output\":\"{big}\",\"exit_code\":3}}}}}}\n{{\"payload\":{{\"type\":\"function_call\",\"call_id\":\"call_1\"}}}}\n"
        );
        std::fs::write(&path, text).unwrap();
        assert_eq!(exit_code(&path, "call_1", Duration::ZERO), Some(3));
    }

    #[test]
    fn a_line_longer_than_the_search_window_is_given_up_on() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.jsonl");
        let huge = "z".repeat(MAX_SCAN as usize + 10);
        let text = format!(
            "{{\"payload\":{{\"type\":\"item_completed\",\"item\":{{\"id\":\"call_1\",\"exit_code\":3,\"out\":\"{huge}\"}}}}}}\n"
        );
        std::fs::write(&path, text).unwrap();
        assert_eq!(exit_code(&path, "call_1", Duration::ZERO), None);
    }

    #[test]
    fn a_fifo_is_not_opened() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fifo");
        let made = std::process::Command::new("mkfifo").arg(&path).status();
        if made.is_ok_and(|s| s.success()) {
            assert_eq!(exit_code(&path, "call_1", Duration::from_millis(50)), None);
        }
    }

    #[test]
    fn reads_a_first_line_without_a_newline_before_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.jsonl");
        std::fs::write(
            &path,
            r#"{"payload":{"type":"item_completed","item":{"id":"c","exit_code":0}}}"#,
        )
        .unwrap();
        assert_eq!(exit_code(&path, "c", Duration::ZERO), Some(0));
    }

    #[test]
    fn exit_lines() {
        assert_eq!(
            exit_line("Chunk ID: x\nProcess exited with code 2\nOutput:"),
            Some(2)
        );
        assert_eq!(exit_line("Exit code: 101\n"), Some(101));
        assert_eq!(exit_line("hello\n"), None);
    }
}
