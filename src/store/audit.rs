//! The audit log (SPEC 6.7): `.learnings/events.jsonl`, one JSON line per change the tools
//! make, each holding the hash of the line before it.
//!
//! A line is `{"seq":…,"ts":…,"action":…,"id":…,"data":…,"prev":…,"hash":…}`, written
//! compactly in that order. `hash` is SHA-256 over the exact bytes of the line without its
//! `hash` member (that is, with `,"hash":"…"` taken out), and `prev` is the previous line's
//! `hash`, 64 zeros for the first. Editing, deleting, inserting, duplicating or reordering a
//! line breaks the chain at that line. Lines are appended by the holder of the store's lock,
//! so any number of processes extend one chain.
//!
//! A git merge joins two branches' chains (`merge::merge_chain`): theirs' lines follow ours,
//! still chained to the lines before them on their branch, and a `merge` event names both
//! heads. So in general `prev` names *a* line before, and every line but the last must be
//! followed by a later one ([`verify`]).

use std::collections::HashMap;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

use serde_json::{Map, Value};

use crate::error::Result;
use crate::format::{Document, Entry, EntryId, Kind};
use crate::store::sha256_hex;

pub const EVENTS: &str = "events.jsonl";
pub(crate) const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The end of a verified chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    pub count: u64,
    pub hash: String,
}

/// Where and why a chain does not verify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broken {
    /// 1-based line of `events.jsonl`.
    pub line: u64,
    pub reason: String,
}

/// Appends one event after the last line of `path`. The caller holds the store's lock.
pub(crate) fn append(path: &Path, ts: &str, action: &str, id: &str, data: Value) -> Result<()> {
    let mut file = fs_err::OpenOptions::new()
        .read(true)
        .append(true)
        .create(true)
        .open(path)?;
    let (seq, prev) = match last_line(&mut file)? {
        Some(line) => {
            let v: Option<Value> = serde_json::from_slice(&line).ok();
            let seq = v.as_ref().and_then(|v| v.get("seq")?.as_u64());
            let hash = v
                .as_ref()
                .and_then(|v| Some(v.get("hash")?.as_str()?.to_owned()));
            match (seq, hash) {
                (Some(seq), Some(hash)) => (seq + 1, hash),
                // Someone broke the last line. The change is still recorded, chained to what
                // is there; `evolver audit` reports the broken line.
                _ => (0, sha256_hex(&line)),
            }
        }
        None => (1, GENESIS.to_owned()),
    };
    let (line, _) = event_line(seq, ts, action, id, data, &prev);
    file.write_all(line.as_bytes())?;
    Ok(())
}

/// One event as it is written: its line (with the final line break) and its hash.
pub(crate) fn event_line(
    seq: u64,
    ts: &str,
    action: &str,
    id: &str,
    data: Value,
    prev: &str,
) -> (String, String) {
    let mut event = Map::new();
    event.insert("seq".into(), seq.into());
    event.insert("ts".into(), ts.into());
    event.insert("action".into(), action.into());
    event.insert("id".into(), id.into());
    event.insert("data".into(), data);
    event.insert("prev".into(), prev.into());
    let body = Value::Object(event).to_string();
    let hash = sha256_hex(body.as_bytes());
    let line = format!("{},\"hash\":\"{hash}\"}}\n", &body[..body.len() - 1]);
    (line, hash)
}

/// The hash a line stands for in the chain: its `hash` member, or for a line that is not an
/// event, the SHA-256 of its bytes (what the next event chains to).
pub(crate) fn line_hash(line: &[u8]) -> String {
    serde_json::from_slice::<Value>(line)
        .ok()
        .and_then(|v| Some(v.get("hash")?.as_str()?.to_owned()))
        .unwrap_or_else(|| sha256_hex(line))
}

/// The last complete line of the file. A line cut short by a crash (no final newline) is
/// cut off first: it was never a whole event.
fn last_line(file: &mut fs_err::File) -> Result<Option<Vec<u8>>> {
    let mut len = file.metadata()?.len();
    if len == 0 {
        return Ok(None);
    }
    if read_at(file, len - 1, 1)? != b"\n" {
        len = rfind_newline(file, len)?.map_or(0, |nl| nl + 1);
        file.file().set_len(len)?;
        if len == 0 {
            return Ok(None);
        }
    }
    let start = rfind_newline(file, len - 1)?.map_or(0, |nl| nl + 1);
    Ok(Some(read_at(file, start, (len - 1 - start) as usize)?))
}

/// How much of the file one backwards read takes (64 KiB). Any size finds the same line.
const READ_BLOCK: u64 = 65_536;

/// The position of the last newline before `before`.
fn rfind_newline(file: &mut fs_err::File, before: u64) -> Result<Option<u64>> {
    let mut end = before;
    while end > 0 {
        let start = end.saturating_sub(READ_BLOCK);
        let chunk = read_at(file, start, (end - start) as usize)?;
        if let Some(i) = memchr::memrchr(b'\n', &chunk) {
            return Ok(Some(start + i as u64));
        }
        end = start;
    }
    Ok(None)
}

fn read_at(file: &mut fs_err::File, at: u64, n: usize) -> Result<Vec<u8>> {
    let mut buf = vec![0; n];
    file.seek(SeekFrom::Start(at))?;
    file.read_exact(&mut buf)?;
    Ok(buf)
}

/// The events of entry `id`, in order, and where the chain breaks if it does. A missing file
/// is an empty chain.
///
/// After a git merge two lessons may have been logged under one ID, one on each branch; the
/// merge renumbered one of them (`- Renumbered-From: OLD`). An event names the ID its branch
/// used, so an event under an ID that two `created` events share belongs to the lesson whose
/// `created` event its branch wrote: the first one found walking back from it through the
/// events before it on its branch (`prev`). A lesson is known by that event's time, which is
/// its `**Logged**`.
pub(crate) fn history(learnings: &Path, id: &str) -> (Vec<Value>, Option<Broken>) {
    let Ok(text) = fs_err::read(learnings.join(EVENTS)) else {
        return (Vec::new(), None);
    };
    let events: Vec<Value> = text
        .split(|&b| b == b'\n')
        .filter_map(|l| serde_json::from_slice::<Value>(l).ok())
        .collect();
    let broken = verify(&text).err();
    let created = |name: &str| -> Vec<usize> {
        (0..events.len())
            .filter(|&i| events[i]["action"] == "created" && events[i]["id"] == name)
            .collect()
    };
    let (logged, summary, old) = lesson(learnings, id);
    // Whether a `created` event is this entry's: its time is the entry's Logged, and the
    // summary it recorded (when it did) is the entry's.
    let is_this = |e: &Value| -> bool {
        logged.is_some()
            && e["ts"].as_str() == logged.as_deref()
            && e["data"]["summary_sha256"]
                .as_str()
                .is_none_or(|h| Some(h) == summary.as_deref())
    };
    // Sorting is needed when this entry was renumbered (another lesson may have been created
    // under its ID), or when one of the lessons created under its ID is this one.
    let precise = old.is_some() || created(id).into_iter().any(|i| is_this(&events[i]));
    if !precise {
        // The usual case: one lesson ever had this ID.
        let own = events.into_iter().filter(|e| e["id"] == id).collect();
        return (own, broken);
    }
    let at: HashMap<&str, usize> = events
        .iter()
        .enumerate()
        .filter_map(|(i, e)| Some((e["hash"].as_str()?, i)))
        .collect();
    // The `created` event named `name` on the branch of event `i`.
    let lesson_of = |i: usize, name: &str| -> Option<&Value> {
        let mut j = i;
        // At most a step per event: a file edited into a loop of `prev`s cannot hold the walk.
        for _ in 0..events.len() {
            let e = &events[j];
            if e["action"] == "created" && e["id"] == name {
                return Some(e);
            }
            j = *at.get(e["prev"].as_str()?)?;
        }
        None
    };
    let own = events
        .iter()
        .enumerate()
        .filter(|(i, e)| {
            if e["id"] == id {
                // Another lesson's event under this ID: its branch created that lesson.
                lesson_of(*i, id).is_none_or(is_this)
            } else {
                old.as_deref()
                    .is_some_and(|old| e["id"] == old && lesson_of(*i, old).is_some_and(is_this))
            }
        })
        .map(|(_, e)| e.clone())
        .collect();
    (own, broken)
}

/// The `**Logged**` time, the SHA-256 of the summary and the `Renumbered-From` ID of the
/// entry `id` in the logs.
fn lesson(learnings: &Path, id: &str) -> (Option<String>, Option<String>, Option<String>) {
    let Ok(parsed) = id.parse::<EntryId>() else {
        return (None, None, None);
    };
    for kind in std::iter::once(parsed.kind()).chain(Kind::ALL) {
        let Ok(bytes) = fs_err::read(learnings.join(kind.file_name())) else {
            continue;
        };
        let doc = Document::parse(bytes);
        let Some(span) = doc.find(id).next() else {
            continue;
        };
        let Some(e) = std::str::from_utf8(doc.entry_bytes(span))
            .ok()
            .and_then(Entry::parse)
        else {
            return (None, None, None);
        };
        let logged = e
            .field("logged")
            .map(|l| l.trim().to_owned())
            .filter(|l| !l.is_empty());
        let summary = sha256_hex(e.summary().as_bytes());
        return (
            logged,
            Some(summary),
            e.renumbered_from().map(|o| o.to_string()),
        );
    }
    (None, None, None)
}

/// The `action` of the event a git merge of two chains appends (`merge::merge_chain`): its
/// `prev` is ours' last event and `data.theirs` theirs' last.
pub(crate) const MERGE: &str = "merge";

/// Verifies the chain in `text`; `Ok` holds its head.
///
/// Each line's `hash` must be the SHA-256 of the line without it, and its `prev` the hash of
/// a line before it (64 zeros for the first), with `seq` one more than that line's. On one
/// branch `prev` is simply the line before. After a git merge, theirs' lines follow ours and
/// chain among themselves, and a `merge` event joins the two: its `prev` is ours' last line
/// and its `data.theirs` theirs' last. Every line but the last must be followed (named as
/// `prev` or `theirs` by a later line), so a line inserted anywhere is found too.
pub fn verify(text: &[u8]) -> std::result::Result<Head, Broken> {
    let text = text.strip_suffix(b"\n").unwrap_or(text);
    let lines: Vec<&[u8]> = if text.is_empty() {
        Vec::new()
    } else {
        text.split(|&b| b == b'\n').collect()
    };
    // Each line's hash: its seq, its line number, and whether a later line follows it.
    let mut seen: HashMap<String, (u64, u64, bool)> = HashMap::new();
    let (mut last_hash, mut last_seq) = (GENESIS.to_owned(), 0u64);
    for (i, line) in lines.iter().enumerate() {
        let n = i as u64 + 1;
        let broken = |reason: &str| Broken {
            line: n,
            reason: reason.to_owned(),
        };
        let Ok(v) = serde_json::from_slice::<Value>(line) else {
            return Err(broken("not a JSON event (edited or cut)"));
        };
        let (Some(seq), Some(p), Some(hash)) = (
            v.get("seq").and_then(Value::as_u64),
            v.get("prev").and_then(Value::as_str),
            v.get("hash").and_then(Value::as_str),
        ) else {
            return Err(broken("an event without seq, prev or hash"));
        };
        let suffix = format!(",\"hash\":\"{hash}\"}}");
        let Some(body) = std::str::from_utf8(line)
            .ok()
            .and_then(|l| l.strip_suffix(&suffix))
        else {
            return Err(broken("the hash is not the last member (edited)"));
        };
        let body = format!("{body}}}");
        if sha256_hex(body.as_bytes()) != hash {
            return Err(broken("its hash does not match its content (edited)"));
        }
        let again = || {
            broken(&format!(
                "seq {seq} again or out of order (inserted, duplicated or reordered)"
            ))
        };
        if seen.contains_key(hash) {
            return Err(again());
        }
        let prev_seq = if p == GENESIS {
            0
        } else {
            match seen.get_mut(p) {
                Some((s, _, followed)) => {
                    *followed = true;
                    *s
                }
                None if seq > last_seq + 1 => {
                    return Err(broken(&format!(
                        "line(s) before it were deleted (seq {seq} follows {last_seq})"
                    )));
                }
                None if seq <= last_seq => return Err(again()),
                None => {
                    return Err(broken(
                        "its prev is not the hash of the line before (inserted or reordered)",
                    ));
                }
            }
        };
        if seq != prev_seq + 1 {
            return Err(broken(&format!("seq {seq} where {} was due", prev_seq + 1)));
        }
        if v.get("action").and_then(Value::as_str) == Some(MERGE) {
            let theirs = v["data"]["theirs"].as_str().unwrap_or("");
            match seen.get_mut(theirs) {
                Some((_, _, followed)) => *followed = true,
                None => {
                    return Err(broken(
                        "a merge of lines that are not in the chain before it (edited or cut)",
                    ));
                }
            }
        }
        seen.insert(hash.to_owned(), (seq, n, false));
        (last_hash, last_seq) = (hash.to_owned(), seq);
    }
    let loose = seen
        .iter()
        .filter(|(h, (_, _, followed))| !followed && **h != last_hash)
        .map(|(_, (_, n, _))| *n)
        .min();
    if let Some(line) = loose {
        return Err(Broken {
            line,
            reason: "no line follows it (inserted, or a branch never merged)".to_owned(),
        });
    }
    Ok(Head {
        count: lines.len() as u64,
        hash: last_hash,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn chain(n: usize) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(EVENTS);
        for i in 0..n {
            append(
                &path,
                "2026-12-01T00:00:00Z",
                "created",
                &format!("ERR-20261201-{i:03}"),
                json!({"n": i}),
            )
            .unwrap();
        }
        (dir, path)
    }

    #[test]
    fn a_chain_verifies_and_reports_its_head() {
        let (_dir, path) = chain(5);
        let text = std::fs::read(&path).unwrap();
        let head = verify(&text).unwrap();
        assert_eq!(head.count, 5);
        let last: Value =
            serde_json::from_slice(text.split(|&b| b == b'\n').nth(4).unwrap()).unwrap();
        assert_eq!(last["hash"], head.hash.as_str());
        let first: Value =
            serde_json::from_slice(text.split(|&b| b == b'\n').next().unwrap()).unwrap();
        assert_eq!(first["prev"], GENESIS);
        assert_eq!(
            verify(b"").unwrap(),
            Head {
                count: 0,
                hash: GENESIS.into()
            }
        );
    }

    #[test]
    fn a_torn_last_line_is_cut_before_the_next_append() {
        let (_dir, path) = chain(3);
        let mut text = std::fs::read(&path).unwrap();
        text.extend_from_slice(b"{\"seq\":4,\"ts\":\"x");
        std::fs::write(&path, &text).unwrap();
        append(&path, "t", "created", "x", json!({})).unwrap();
        assert_eq!(verify(&std::fs::read(&path).unwrap()).unwrap().count, 4);
    }

    #[test]
    fn lines_longer_than_a_read_block_chain_on() {
        // The last line is found by reading backwards in 64 KiB blocks: here it spans three.
        let (_dir, path) = chain(2);
        let big = "x".repeat(150 * 1024);
        append(
            &path,
            "t",
            "updated",
            "ERR-20261201-001",
            json!({"big": big}),
        )
        .unwrap();
        append(&path, "t", "updated", "ERR-20261201-001", json!({})).unwrap();
        let text = std::fs::read(&path).unwrap();
        assert_eq!(verify(&text).unwrap().count, 4);
        // A torn line that long is cut back to the whole line before it.
        let mut torn = text.clone();
        torn.extend_from_slice(format!("{{\"seq\":5,\"data\":\"{big}").as_bytes());
        std::fs::write(&path, &torn).unwrap();
        append(&path, "t", "created", "x", json!({})).unwrap();
        let text = std::fs::read(&path).unwrap();
        assert_eq!(verify(&text).unwrap().count, 5);
        // A whole file that is one torn line is cut to nothing: the chain starts again.
        std::fs::write(&path, big.as_bytes()).unwrap();
        append(&path, "t", "created", "x", json!({})).unwrap();
        assert_eq!(verify(&std::fs::read(&path).unwrap()).unwrap().count, 1);
    }

    #[test]
    fn a_broken_last_line_still_gets_a_successor_chained_to_its_bytes() {
        let (_dir, path) = chain(2);
        let mut text = std::fs::read(&path).unwrap();
        text.extend_from_slice(b"not an event\n");
        std::fs::write(&path, &text).unwrap();
        append(&path, "t", "created", "x", json!({})).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let last: Value = serde_json::from_str(text.lines().last().unwrap()).unwrap();
        assert_eq!(last["seq"], 0);
        assert_eq!(last["prev"], sha256_hex(b"not an event"));
        assert_eq!(verify(text.as_bytes()).unwrap_err().line, 3);
    }

    #[test]
    fn each_break_is_named_for_what_was_done() {
        let (_dir, path) = chain(4);
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let join = |ls: &[&str]| ls.join("\n") + "\n";
        let reason = |ls: &[&str]| verify(join(ls).as_bytes()).unwrap_err();
        let deleted = reason(&[lines[0], lines[2], lines[3]]);
        assert_eq!(deleted.line, 2);
        assert_eq!(
            deleted.reason,
            "line(s) before it were deleted (seq 3 follows 1)"
        );
        let duplicated = reason(&[lines[0], lines[1], lines[1], lines[2]]);
        assert_eq!(duplicated.line, 3);
        assert_eq!(
            duplicated.reason,
            "seq 2 again or out of order (inserted, duplicated or reordered)"
        );
        // The second line of another chain: seq 2 is due, but it follows another line.
        let other_dir = tempfile::tempdir().unwrap();
        let other = other_dir.path().join(EVENTS);
        for _ in 0..2 {
            append(&other, "t", "created", "LRN-20261201-001", json!({})).unwrap();
        }
        let other = std::fs::read_to_string(&other).unwrap();
        let foreign = other.lines().nth(1).unwrap();
        let inserted = reason(&[lines[0], foreign]);
        assert_eq!(
            (inserted.line, inserted.reason.as_str()),
            (
                2,
                "its prev is not the hash of the line before (inserted or reordered)"
            )
        );
        // A line of another chain after the end, with a seq already passed.
        let late = reason(&[lines[0], lines[1], lines[2], foreign]);
        assert_eq!(
            (late.line, late.reason.as_str()),
            (
                4,
                "seq 2 again or out of order (inserted, duplicated or reordered)"
            )
        );
        let edited = text.replacen("\"n\":1", "\"n\":7", 1);
        assert_eq!(
            verify(edited.as_bytes()).unwrap_err(),
            Broken {
                line: 2,
                reason: "its hash does not match its content (edited)".into()
            }
        );
        // A line whose prev is right but whose seq skips: re-hashed by someone who forgot seq.
        let v: Value = serde_json::from_str(lines[1]).unwrap();
        let mut body = v.as_object().unwrap().clone();
        body.remove("hash");
        body.insert("seq".into(), 5.into());
        let body = Value::Object(body).to_string();
        let hash = sha256_hex(body.as_bytes());
        let forged = format!("{},\"hash\":\"{hash}\"}}", &body[..body.len() - 1]);
        let skipped = reason(&[lines[0], &forged]);
        assert_eq!(
            (skipped.line, skipped.reason.as_str()),
            (2, "seq 5 where 2 was due")
        );
        assert_eq!(
            verify(b"{\"seq\":1}\n").unwrap_err().reason,
            "an event without seq, prev or hash"
        );
    }

    #[test]
    fn a_chain_edited_into_a_loop_does_not_hold_history() {
        let dir = tempfile::tempdir().unwrap();
        let line = |hash: &str, prev: &str| {
            format!(
                r#"{{"seq":1,"ts":"t","action":"verified","id":"LRN-20261203-002","data":{{}},"prev":"{prev}","hash":"{hash}"}}"#
            )
        };
        let text = format!("{}\n{}\n", line("a", "b"), line("b", "a"));
        std::fs::write(dir.path().join(EVENTS), text).unwrap();
        std::fs::write(
            dir.path().join("LEARNINGS.md"),
            "## [LRN-20261203-002] x\n**Logged**: t\n\n### Metadata\n- Renumbered-From: LRN-20261203-001\n---\n",
        )
        .unwrap();
        let (events, broken) = history(dir.path(), "LRN-20261203-002");
        assert_eq!(events.len(), 2);
        assert!(broken.is_some());
    }

    proptest::proptest! {
        /// Every way of tampering with a line is found, at that line or before it.
        #[test]
        fn every_tampering_is_detected(n in 2usize..12, at in 0usize..12, how in 0u8..5, byte in 0usize..200) {
            let (_dir, path) = chain(n);
            let text = std::fs::read_to_string(&path).unwrap();
            let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
            let at = at % n;
            match how {
                0 => {
                    // edit one byte of the line
                    let mut b = lines[at].clone().into_bytes();
                    let i = byte % b.len();
                    b[i] = if b[i] == b'7' { b'8' } else { b'7' };
                    lines[at] = String::from_utf8_lossy(&b).into_owned();
                }
                1 => { lines.remove(at); }
                2 => { let l = lines[at].clone(); lines.insert(at, l); }
                3 => { let other = (at + 1) % n; lines.swap(at, other); }
                _ => { lines.insert(at, lines[(at + 1) % n].clone()); }
            }
            let tampered = lines.join("\n") + "\n";
            proptest::prop_assume!(tampered != text);
            let deleted_last = how == 1 && at == n - 1;
            match verify(tampered.as_bytes()) {
                // Cutting the last line leaves a shorter chain that verifies: the head moves.
                Ok(head) => proptest::prop_assert!(deleted_last && head.count == n as u64 - 1),
                Err(b) => proptest::prop_assert!(b.line as usize <= at + 2, "{b:?}"),
            }
        }
    }
}
