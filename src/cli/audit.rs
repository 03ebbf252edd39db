//! `evolver audit`: the hash chain of `.learnings/events.jsonl`, checked.

use std::io::{self, Write};

use crate::error::{Error, Result};
use crate::store::Store;

pub(super) fn audit(store: &Store, out: &mut dyn Write) -> Result<()> {
    let path = store.dir().join(crate::store::audit::EVENTS);
    let text = match fs_err::read(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(e.into()),
    };
    match crate::store::audit::verify(&text) {
        Ok(head) => {
            writeln!(out, "ok: {} events, head {}", head.count, head.hash)?;
            Ok(())
        }
        Err(broken) => Err(Error::Refused(format!(
            "{} line {}: {}; the chain breaks there, restore the file from version control",
            path.display(),
            broken.line,
            broken.reason
        ))),
    }
}
