//! Property tests: any bytes round-trip, and generated entries read back as generated.

use evolver::format::render::{NewEntry, one_line, render};
use evolver::{Document, Entry, EntryId, Kind};
use proptest::prelude::*;

/// Bytes that are mostly the pieces the reader cares about, so headers, fences and comments
/// meet each other often.
fn markdownish() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        Just(b"## [LRN-20260101-001] x\n".to_vec()),
        Just(b"### [ERR-20260101-A7B]".to_vec()),
        Just(b"```".to_vec()),
        Just(b"~~~~\n".to_vec()),
        Just(b"<!--\n".to_vec()),
        Just(b"-->".to_vec()),
        Just(b"\n".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(b"---\n".to_vec()),
        Just(b"**Status**: pending\n".to_vec()),
        Just("\u{feff}".as_bytes().to_vec()),
        proptest::collection::vec(any::<u8>(), 0..8),
    ];
    proptest::collection::vec(piece, 0..40).prop_map(|v| v.concat())
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9 .,:`_-]{1,40}",
        "\\PC{1,30}",
        Just("## [LRN-20260101-009] fake".to_owned()),
        Just("```".to_owned()),
        Just("---".to_owned()),
        Just("<!--".to_owned()),
        Just("line one\n### Metadata\n- Pattern-Key: forged".to_owned()),
    ]
}

fn new_entry() -> impl Strategy<Value = (Kind, NewEntry)> {
    (
        prop_oneof![Just(Kind::Learning), Just(Kind::Error), Just(Kind::Feature)],
        "[a-z][a-z_]{0,20}",
        prop_oneof![Just("low"), Just("medium"), Just("high"), Just("critical")],
        prop_oneof![Just(""), Just("backend"), Just("docs")],
        text().prop_filter("a summary has words", |s| !one_line(s).is_empty()),
        prop_oneof![Just(String::new()), text()],
        prop_oneof![Just(String::new()), text()],
        "[a-z.]{1,20}",
    )
        .prop_map(
            |(kind, tail, priority, area, summary, details, action, key)| {
                let mut e = NewEntry {
                    tail,
                    priority: priority.into(),
                    status: "pending".into(),
                    area: area.into(),
                    summary,
                    details,
                    action,
                    ..NewEntry::default()
                };
                e.set_meta("Source", "test");
                e.set_meta("Pattern-Key", key);
                (kind, e)
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn any_bytes_round_trip(bytes in markdownish()) {
        let doc = Document::parse(bytes.clone());
        let spans = doc.entries().to_vec();
        // Preamble plus entries is the whole file, in order, with no gaps.
        let mut rebuilt = doc.preamble().to_vec();
        for s in &spans {
            rebuilt.extend_from_slice(doc.entry_bytes(s));
        }
        prop_assert_eq!(&rebuilt, &bytes);
        prop_assert_eq!(doc.into_bytes(), bytes);
    }

    #[test]
    fn an_edit_changes_one_entry_and_no_boundary(bytes in markdownish()) {
        let doc = Document::parse(bytes.clone());
        let ids: Vec<String> = doc.entries().iter().map(|s| s.id.to_string()).collect();
        for (i, span) in doc.entries().iter().enumerate() {
            let Ok(text) = std::str::from_utf8(doc.entry_bytes(span)) else { continue };
            let entry = Entry::parse(text).unwrap();
            for new in [
                entry.with_field("Status", "resolved"),
                entry.with_meta("Recurrence-Count", "2"),
                entry.with_section("Resolution", "- **Resolved**: now"),
            ] {
                let mut edited = doc.clone();
                edited.replace_entry(i, new.as_bytes());
                prop_assert_eq!(&edited.bytes()[..span.range.start], &bytes[..span.range.start]);
                prop_assert_eq!(&edited.bytes()[span.range.start + new.len()..], &bytes[span.range.end..]);
                let after: Vec<String> = edited.entries().iter().map(|s| s.id.to_string()).collect();
                prop_assert_eq!(&after, &ids);
            }
        }
    }

    #[test]
    fn random_bytes_round_trip(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        prop_assert_eq!(Document::parse(bytes.clone()).into_bytes(), bytes);
    }

    #[test]
    fn generated_entries_read_back(entries in proptest::collection::vec(new_entry(), 1..6)) {
        let mut file = Kind::Learning.file_header().to_owned();
        let mut ids = Vec::new();
        for (i, (kind, e)) in entries.iter().enumerate() {
            let id = EntryId::new(*kind, "20261122", i as u32 + 1);
            file.push('\n');
            file.push_str(&render(*kind, &id, "2026-11-22T10:30:00Z", e));
            ids.push(id);
        }
        let doc = Document::parse(file.clone().into_bytes());
        prop_assert_eq!(doc.entries().len(), entries.len());
        for ((span, (_, e)), id) in doc.entries().iter().zip(&entries).zip(&ids) {
            prop_assert_eq!(&span.id, id);
            let text = std::str::from_utf8(doc.entry_bytes(span)).unwrap();
            let read = Entry::parse(text).unwrap();
            prop_assert_eq!(read.tail(), e.tail.as_str());
            prop_assert_eq!(read.priority(), Some(e.priority.as_str()));
            prop_assert_eq!(read.status(), Some("pending"));
            prop_assert_eq!(read.area(), (!e.area.is_empty()).then_some(e.area.as_str()));
            prop_assert_eq!(read.summary(), one_line(&e.summary));
            prop_assert_eq!(read.pattern_key(), e.meta("Pattern-Key"));
            prop_assert_eq!(read.meta("Source"), Some("test"));
            prop_assert_eq!(read.field("logged"), Some("2026-11-22T10:30:00Z"));
            prop_assert!(text.trim_end().ends_with("---"));
        }
    }
}
