//! `extract-skill` (SPEC 7): a skill folder scaffolded in staging, or filled from a verified
//! lesson.
//!
//! With `--from ID` the lesson must hold a PASS receipt that still holds, the same gate as
//! promotion ([`crate::verify::promotion::gate`]); its summary becomes the description, its
//! details the background, its suggested action the instructions, and its verification spec
//! the skill's own check. The entry becomes `promoted_to_skill` with `**Skill-Path**`, and the
//! change goes into the audit chain.
//!
//! What is written is validated and scanned first, in memory: a skill that would not deploy
//! is never written. A dry run does the same and writes nothing at all, not even the lock.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use crate::error::{Error, Result};
use crate::format::Entry;
use crate::format::render::one_line;
use crate::skills::name::skill_folder;
use crate::skills::record::{Record, State};
use crate::skills::validate::{self, Level, MAX_DESCRIPTION, Validation};
use crate::skills::{deploy, scan};
use crate::store::Store;
use crate::verify::promotion::gate;
use crate::verify::spec_text;

/// What to extract.
#[derive(Debug, Clone)]
pub struct Extract<'a> {
    pub name: &'a str,
    /// The staging folder, relative to the project (`skills` by default).
    pub dir: &'a Path,
    pub from: Option<&'a str>,
    pub description: Option<&'a str>,
    pub force: bool,
    pub dry_run: bool,
}

/// What an extraction wrote, or would write.
#[derive(Debug)]
pub struct Extracted {
    /// The skill's folder, relative to the project.
    pub folder: PathBuf,
    /// Each file's path in the skill and its content.
    pub files: Vec<(String, String)>,
    pub validation: Validation,
    pub scan: scan::Report,
    pub written: bool,
    /// The receipt the skill was extracted under.
    pub receipt: Option<String>,
}

/// The placeholder a plain scaffold's description starts with.
pub const PLACEHOLDER: &str = "TODO:";

/// Checks a description for the front matter; the error says how to give another.
fn check_description(text: &str, from_summary: bool) -> Result<String> {
    let text = one_line(text);
    let source = if from_summary {
        "the entry's summary"
    } else {
        "the description"
    };
    if text.trim().is_empty() {
        return Err(Error::Invalid(format!(
            "{source} is empty; give one with --description"
        )));
    }
    if text.contains(['<', '>']) {
        return Err(Error::Invalid(format!(
            "{source} holds `<` or `>`, which a skill description may not; give one with --description"
        )));
    }
    let chars = text.chars().count();
    if chars > MAX_DESCRIPTION {
        return Err(Error::Invalid(format!(
            "{source} has {chars} characters, over {MAX_DESCRIPTION}; give a shorter one with --description"
        )));
    }
    Ok(text)
}

/// A title from a skill name: `fix-ci-cache` → `Fix ci cache`.
fn title_of(name: &str) -> String {
    let words = name.replace('-', " ");
    let mut chars = words.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// A JSON string is a YAML 1.2 double-quoted scalar: quoting every description keeps `: `,
/// `#` and leading marks from changing what it means.
fn yaml_string(text: &str) -> String {
    serde_json::to_string(text).expect("a string serializes")
}

/// The SKILL.md of a plain scaffold.
fn scaffold(name: &str, description: &str) -> String {
    let title = title_of(name);
    format!(
        "---\nname: {name}\ndescription: {}\n---\n\n# {title}\n\n## When to use\n\n\
         - TODO: the situation in which an agent should reach for this skill.\n\n\
         ## Instructions\n\n1. TODO: the steps, in order, with the commands to run.\n\n\
         ## Check\n\n- TODO: how to tell that it worked.\n\n\
         ## Source\n\nWritten by hand from a scaffold of `extract-skill`.\n",
        yaml_string(description)
    )
}

/// The lines of a section as a list: bullets kept, other lines made bullets.
fn as_list(section: &str) -> String {
    section
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let t = l.trim_start();
            if t.starts_with("- ")
                || t.starts_with("* ")
                || t.starts_with(|c: char| c.is_ascii_digit())
            {
                l.to_owned()
            } else {
                format!("- {t}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The SKILL.md filled from a verified entry.
fn from_entry(
    name: &str,
    description: &str,
    id: &str,
    file: &str,
    entry: &Entry<'_>,
    receipt: &str,
) -> String {
    let summary = one_line(entry.summary());
    let mut text = format!(
        "---\nname: {name}\ndescription: {}\nmetadata:\n  source: {}\n  receipt: {}\n---\n\n# {}\n\n",
        yaml_string(description),
        yaml_string(id),
        yaml_string(receipt),
        summary
    );
    text.push_str("## When to use\n\n");
    let mut when = vec![format!("- When the task runs into this again: {summary}")];
    if let Some(area) = entry.area().map(str::trim).filter(|a| !a.is_empty()) {
        when.push(format!("- Area: {area}"));
    }
    if let Some(key) = entry.pattern_key().map(str::trim).filter(|k| !k.is_empty()) {
        when.push(format!("- Pattern: `{key}`"));
    }
    text.push_str(&when.join("\n"));
    text.push_str("\n\n");
    if let Some(details) = entry.section("details").filter(|d| !d.trim().is_empty()) {
        text.push_str("## Background\n\n");
        text.push_str(details.trim());
        text.push_str("\n\n");
    }
    text.push_str("## Instructions\n\n");
    let action = [
        "suggested action",
        "suggested fix",
        "suggested implementation",
    ]
    .iter()
    .find_map(|s| entry.section(s).filter(|t| !t.trim().is_empty()));
    match action {
        Some(a) => text.push_str(&as_list(a)),
        None => text.push_str(&format!("- Apply the lesson: {summary}")),
    }
    text.push_str("\n\n## Check\n\n");
    match entry.section("verification spec").map(spec_text) {
        Some(spec) if !spec.trim().is_empty() => {
            text.push_str(
                "The lesson was verified with this spec. It still holds when running its `run` \
                 command (or reading its `file`) gives what `expected` says:\n\n```json\n",
            );
            text.push_str(spec.trim());
            text.push_str("\n```\n\n");
        }
        _ => text.push_str("- Confirm the outcome the instructions describe before going on.\n\n"),
    }
    text.push_str(&format!(
        "## Source\n\nExtracted from {id} in `{file}`, verified PASS (receipt `{receipt}`).\n"
    ));
    text
}

/// An entry promoted to memory keeps that state and its rollback; it is not made a skill too.
fn refuse_promoted(id: &str, entry: &Entry<'_>) -> Result<()> {
    if entry
        .status()
        .is_some_and(|s| s.trim().eq_ignore_ascii_case("promoted"))
    {
        return Err(Error::Refused(format!(
            "{id} is promoted to memory; `evolver rollback {id}` first to make it a skill instead"
        )));
    }
    Ok(())
}

/// Reads the entry without the lock (a dry run writes nothing, not even the lock file).
fn read_entry(store: &Store, id: &str) -> Result<(String, String)> {
    let mut found = store.find(id)?;
    match found.len() {
        0 => Err(Error::UnknownId(id.into())),
        1 => {
            let (kind, _, text) = found.remove(0);
            Ok((kind.file_name().to_owned(), text))
        }
        _ => Err(Error::Refused(format!(
            "{id} appears {} times; `evolver doctor` finds the duplicates",
            found.len()
        ))),
    }
}

fn render(
    store: &Store,
    x: &Extract<'_>,
    id: Option<(&str, &str, &str)>,
) -> Result<(String, Option<String>)> {
    let Some((id, file, text)) = id else {
        let description = match x.description {
            Some(d) => check_description(d, false)?,
            None => {
                format!("{PLACEHOLDER} say what this skill does and when an agent should use it.")
            }
        };
        return Ok((scaffold(x.name, &description), None));
    };
    let entry = Entry::parse(text).ok_or_else(|| Error::UnknownId(id.into()))?;
    refuse_promoted(id, &entry)?;
    let receipt = gate(store, id, &entry).map_err(Error::Refused)?;
    let description = match x.description {
        Some(d) => check_description(d, false)?,
        None => check_description(entry.summary(), true)?,
    };
    Ok((
        from_entry(
            x.name,
            &description,
            id,
            &format!(".learnings/{file}"),
            &entry,
            &receipt,
        ),
        Some(receipt),
    ))
}

/// Extracts a skill (SPEC 7).
pub fn extract(store: &Store, x: &Extract<'_>, now: DateTime<Utc>) -> Result<Extracted> {
    let folder = skill_folder(store.root(), x.dir, x.name)?;
    let rel = x.dir.join(x.name);
    if folder.exists() && !x.force {
        return Err(Error::Refused(format!(
            "{} exists; pass --force to replace it",
            rel.display()
        )));
    }
    // --force replaces a skill, and nothing else.
    if folder.exists() && !folder.join("SKILL.md").is_file() {
        return Err(Error::Refused(format!(
            "{} is not a skill folder (no SKILL.md); --force replaces only a skill",
            rel.display()
        )));
    }
    let entry = match x.from {
        Some(id) => Some(read_entry(store, id)?),
        None => None,
    };
    let (skill_md, receipt) = render(
        store,
        x,
        entry
            .as_ref()
            .zip(x.from)
            .map(|((file, text), id)| (id, file.as_str(), text.as_str())),
    )?;
    let validation = validate::validate_text(x.name, &skill_md);
    let report = scan::Report {
        findings: scan::scan_text(Path::new("SKILL.md"), &skill_md),
        files: 1,
    };
    let mut out = Extracted {
        folder: rel.clone(),
        files: vec![("SKILL.md".into(), skill_md.clone())],
        validation,
        scan: report,
        written: false,
        receipt,
    };
    if x.dry_run {
        return Ok(out);
    }
    if let Some(f) = out
        .validation
        .findings
        .iter()
        .find(|f| f.level == Level::Error)
    {
        return Err(Error::Refused(format!(
            "the skill would not validate (SKILL.md line {}: {}); nothing was written",
            f.line, f.message
        )));
    }
    if let Some(f) = out
        .scan
        .findings
        .iter()
        .find(|f| f.severity == scan::Severity::Block)
    {
        return Err(Error::Refused(format!(
            "the security scan blocks the skill (SKILL.md line {}: {}); nothing was written",
            f.line, f.message
        )));
    }
    let write_files = || -> Result<()> {
        let tmp = folder.with_file_name(format!(".{}.evolver-tmp", x.name));
        if tmp.exists() {
            fs_err::remove_dir_all(&tmp)?;
        }
        fs_err::create_dir_all(&tmp)?;
        for (name, content) in &out.files {
            fs_err::write(tmp.join(name), content)?;
        }
        if folder.exists() {
            fs_err::remove_dir_all(&folder)?;
        }
        fs_err::rename(&tmp, &folder)?;
        Ok(())
    };
    let Some(id) = x.from else {
        if let Some(parent) = folder.parent() {
            fs_err::create_dir_all(parent)?;
        }
        write_files()?;
        out.written = true;
        return Ok(out);
    };
    let skill_path = rel.to_string_lossy().replace('\\', "/");
    let learnings = store.dir().to_owned();
    store.write(|w| {
        // Again under the lock: no verify may come between the gate and the write.
        let (_, text) = w.entry_text(id)?;
        let entry = Entry::parse(&text).ok_or_else(|| Error::UnknownId(id.into()))?;
        refuse_promoted(id, &entry)?;
        let receipt = gate(store, id, &entry).map_err(Error::Refused)?;
        if let Some(parent) = folder.parent() {
            fs_err::create_dir_all(parent)?;
        }
        write_files()?;
        let files = deploy::manifest(&folder)?;
        let mut record = Record::load(&learnings, x.name)?.unwrap_or_else(|| Record::new(x.name));
        record.source = Some(id.to_owned());
        if record.deployments.is_empty() && record.state != State::Rejected {
            record.change(State::Draft, &format!("extracted from {id}"), now);
        }
        record.save(&learnings)?;
        w.record(
            now,
            "promoted_to_skill",
            id,
            serde_json::json!({
                "skill_path": skill_path,
                "receipt_id": receipt,
                "tree_sha256": crate::skills::record::tree_hash(&files),
            }),
        )?;
        w.update(id, now, |e| {
            let text = e.with_field("Status", "promoted_to_skill");
            Ok(Entry::parse(&text)
                .expect("an edit keeps the header")
                .with_field("Skill-Path", &skill_path))
        })?;
        Ok(())
    })?;
    out.written = true;
    Ok(out)
}

/// The next steps after an extraction, right for the folder it used.
pub fn next_steps(x: &Extract<'_>, out: &Extracted) -> Vec<String> {
    let folder = out.folder.display();
    let staging = if x.dir == Path::new("skills") {
        String::new()
    } else {
        format!(" --staging {}", x.dir.display())
    };
    let mut steps = Vec::new();
    if !out.written {
        steps.push("run the same command without --dry-run to write it".to_owned());
    }
    let placeholder = out
        .validation
        .description
        .as_deref()
        .is_some_and(|d| d.starts_with(PLACEHOLDER));
    if placeholder || x.from.is_none() {
        steps.push(format!(
            "fill in {folder}/SKILL.md: the description and every TODO"
        ));
    } else {
        steps.push(format!("read {folder}/SKILL.md and adjust it to taste"));
    }
    steps.push(format!(
        "check it: `evolver skill validate {folder}` and `evolver skill scan {folder}`"
    ));
    steps.push(format!(
        "deploy it where the agents read skills: `evolver skill deploy {}{staging}` (`--agent claude|codex|openclaw|all`)",
        x.name
    ));
    steps
}
