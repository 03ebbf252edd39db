//! `evolver init`: `.learnings/` and its three logs.

use std::io::Write;

use crate::error::Result;
use crate::store::Store;

pub(super) fn init(store: &Store, out: &mut dyn Write) -> Result<()> {
    let created = store.init()?;
    if created.is_empty() {
        writeln!(out, "{} is ready; nothing to create", store.dir().display())?;
    }
    for path in created {
        writeln!(out, "created {}", path.display())?;
    }
    Ok(())
}
