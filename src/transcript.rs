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
    let start = Instant::now();
    loop {
        let file = File::open(path).ok()?;
        if !file.metadata().ok()?.is_file() {
            return None;
        }
        if let Some(code) = scan(file, id) {
            return Some(code);
        }
        if start.elapsed() >= patience {
            return None;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
}

/// Reads lines from the end until one records item `id`'s exit code.
fn scan(mut file: File, id: &str) -> Option<i64> {
    let len = file.metadata().ok()?.len();
    let needle = format!("\"{id}\"");
    let floor = len.saturating_sub(MAX_SCAN);
    let mut pos = len;
    // Bytes from `pos` up to the first newline after it (a partial line), carried over.
    let mut carry: Vec<u8> = Vec::new();
    let mut block = vec![0u8; BLOCK];
    while pos > floor {
        let size = BLOCK.min((pos - floor) as usize);
        pos -= size as u64;
        file.seek(SeekFrom::Start(pos)).ok()?;
        file.read_exact(&mut block[..size]).ok()?;
        let mut chunk = block[..size].to_vec();
        chunk.extend_from_slice(&carry);
        // Every complete line in `chunk` except the first (which may start before `pos`).
        let mut end = chunk.len();
        while let Some(nl) = memchr::memrchr(b'\n', &chunk[..end]) {
            if let Some(code) = line_code(&chunk[nl + 1..end], &needle, id) {
                return Some(code);
            }
            end = nl;
        }
        chunk.truncate(end);
        carry = chunk;
        if carry.len() > MAX_SCAN as usize {
            return None;
        }
    }
    if pos == 0 {
        return line_code(&carry, &needle, id);
    }
    None
}

/// The exit code a transcript line records for item `id`, if it is such a line.
fn line_code(line: &[u8], needle: &str, id: &str) -> Option<i64> {
    if line.is_empty() || memchr::memmem::find(line, needle.as_bytes()).is_none() {
        return None;
    }
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
