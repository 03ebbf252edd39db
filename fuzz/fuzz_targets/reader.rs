//! The reader never fails, gives back the bytes it was given, and an edit of one entry
//! changes nothing outside it and no entry boundary.
#![no_main]

use evolver::{Document, Entry};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let doc = Document::parse(data.to_vec());
    assert_eq!(doc.bytes(), data);
    let ids: Vec<String> = doc.entries().iter().map(|s| s.id.to_string()).collect();
    for (i, span) in doc.entries().iter().enumerate().take(4) {
        let Ok(text) = std::str::from_utf8(doc.entry_bytes(span)) else {
            continue;
        };
        let entry = Entry::parse(text).expect("a span starts with its header");
        for new in [
            entry.with_field("Status", "resolved"),
            entry.with_meta("Recurrence-Count", "2"),
            entry.with_section("Resolution", "- **Resolved**: now"),
        ] {
            let mut edited = doc.clone();
            edited.replace_entry(i, new.as_bytes());
            assert_eq!(&edited.bytes()[..span.range.start], &data[..span.range.start]);
            assert_eq!(&edited.bytes()[span.range.start + new.len()..], &data[span.range.end..]);
            let after: Vec<String> = edited.entries().iter().map(|s| s.id.to_string()).collect();
            assert_eq!(after, ids);
        }
    }
});
