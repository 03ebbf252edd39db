//! `evolver spec` and `evolver verify`: what [`crate::verify`] decides, recorded in the entry,
//! the receipts folder and the audit chain.
//!
//! The spec is run outside the store's lock (a test suite can take minutes) and the verdict
//! is written under it, after checking that the spec did not change in between.

use std::path::Path;

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::format::render::longest_backticks;
use crate::format::{Entry, Kind};
use crate::store::Store;
use crate::verify::{
    Observed, Source, Spec, Verdict, judge, observe, receipt, receipt_path, spec_text,
};

/// Writes or replaces the entry's `### Verification Spec` from JSON text.
pub fn set_spec(store: &Store, id: &str, json: &str, now: DateTime<Utc>) -> Result<()> {
    let spec =
        Spec::parse(json).map_err(|e| Error::Invalid(format!("{e}; nothing was changed")))?;
    let pretty = serde_json::to_string_pretty(&spec.value).map_err(std::io::Error::from)?;
    let fence = "`".repeat((longest_backticks(&pretty) + 1).max(3));
    let body = format!("{fence}json\n{pretty}\n{fence}");
    store.update(id, now, |e| Ok(e.with_section("Verification Spec", &body)))?;
    Ok(())
}

/// What `verify` concluded.
#[derive(Debug, Clone)]
pub struct Verified {
    pub verdict: Verdict,
    pub receipt_id: String,
    pub reasons: Vec<String>,
    /// A failing promoted entry's rollback: the targets it left, or why it was refused.
    pub rolled_back: Option<std::result::Result<Vec<String>, String>>,
}

/// Verifies one entry: observes (by running its spec, or from `result`), judges, writes the
/// receipt and records the outcome in the entry (SPEC 6.3).
/// An external verifier to ask, with the key registry its receipts are checked against.
pub struct External<'a> {
    pub command: &'a str,
    pub keys: &'a Path,
}

pub fn verify(
    store: &Store,
    id: &str,
    result: Option<&Path>,
    external: Option<&External<'_>>,
    now: DateTime<Utc>,
) -> Result<Verified> {
    let found = store.find(id)?;
    let (kind, text) = match found.as_slice() {
        [] => return Err(Error::UnknownId(id.into())),
        [(kind, _, text)] => (*kind, text.clone()),
        _ => {
            return Err(Error::Refused(format!(
                "{id} appears more than once; give the copies distinct IDs first"
            )));
        }
    };
    let entry = Entry::parse(&text).ok_or_else(|| Error::UnknownId(id.into()))?;
    let section = entry.section("verification spec").ok_or_else(|| {
        Error::Refused(format!(
            "{id} has no ### Verification Spec; add one with `evolver spec {id} --json '{{\"run\": \"…\", \"expected\": {{\"exit_code\": 0}}}}'`"
        ))
    })?;
    let raw = spec_text(section).to_owned();
    let given: Option<Map<String, Value>> = match result {
        None => None,
        Some(path) => {
            let bytes = fs_err::read(path)?;
            match serde_json::from_slice::<Value>(&bytes) {
                Ok(Value::Object(map)) => Some(map),
                _ => {
                    return Err(Error::Invalid(format!(
                        "{} must hold one JSON object of observations",
                        path.display()
                    )));
                }
            }
        }
    };
    let keys = match external {
        Some(x) => Some(
            serde_json::from_slice::<Value>(&fs_err::read(x.keys)?).map_err(|e| {
                Error::Invalid(format!(
                    "{} is not a JSON key registry: {e}",
                    x.keys.display()
                ))
            })?,
        ),
        None => None,
    };
    let mut sar = None;
    let (spec_sha, observed, verdict, reasons) = match Spec::parse(&raw) {
        Err(why) => (
            crate::store::sha256_hex(raw.as_bytes()),
            Map::new(),
            Verdict::Indeterminate,
            vec![why],
        ),
        Ok(spec) if external.is_some() && keys.is_some() => {
            let (x, keys) = (external.expect("checked"), keys.as_ref().expect("checked"));
            let observed = observe_locally(store, &spec, kind, &entry, given.as_ref());
            let task = crate::verify::sar::task_id(id, &spec.sha256());
            let mut payload = serde_json::json!({
                "task_id": task,
                "agent_id": store.config().agent_id,
                "spec": spec.value,
                "output": observed.values,
            });
            // Only the redacted observations leave: nothing else of the project is sent.
            // Each string is redacted as text, so the JSON around it stays whole.
            redact_strings(&mut payload);
            let payload = payload.to_string();
            let ran = crate::verify::run_with_input(
                x.command,
                store.root(),
                spec.timeout,
                Some(payload.into_bytes()),
            );
            let answer = serde_json::from_slice::<Value>(&ran.stdout)
                .map_err(|_| {
                    format!(
                        "the external verifier printed no JSON receipt{}",
                        ran.why.map(|w| format!(" ({w})")).unwrap_or_default()
                    )
                })
                .and_then(|out| crate::verify::sar::check(&out, &task, keys));
            let (verdict, reasons) = match answer {
                Ok((verdict, receipt)) => {
                    let code = receipt["reason_code"].as_str().unwrap_or("").to_owned();
                    sar = Some(receipt);
                    let reasons = if code.is_empty() {
                        Vec::new()
                    } else {
                        vec![format!("external verifier: {code}")]
                    };
                    (verdict, reasons)
                }
                Err(why) => (Verdict::Indeterminate, vec![why]),
            };
            (spec.sha256(), observed.values, verdict, reasons)
        }
        Ok(spec) => {
            let observed = observe_locally(store, &spec, kind, &entry, given.as_ref());
            let (verdict, reasons) = judge(&spec.expected, &observed);
            (spec.sha256(), observed.values, verdict, reasons)
        }
    };
    let issued = now.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let r = receipt(
        id,
        &spec_sha,
        &observed,
        verdict,
        &reasons,
        &issued,
        sar.as_ref(),
    );
    let receipt_id = r["receipt_id"].as_str().unwrap_or_default().to_owned();
    store.write(|w| {
        let path = receipt_path(w.store().dir(), &receipt_id);
        fs_err::create_dir_all(path.parent().expect("receipts/ has a parent"))?;
        let tmp = path.with_extension("json.tmp");
        let mut text = serde_json::to_string_pretty(&r).map_err(std::io::Error::from)?;
        text.push('\n');
        fs_err::write(&tmp, text)?;
        fs_err::rename(&tmp, &path)?;
        Ok(())
    })?;
    store.update(id, now, |e| {
        let now_spec = e.section("verification spec").map(spec_text).unwrap_or("");
        if now_spec != raw {
            return Err(Error::Refused(format!(
                "the spec of {id} changed while it was being verified; run `evolver verify {id}` again"
            )));
        }
        Ok(record(e, verdict, &receipt_id, &reasons, &issued))
    })?;
    store.write(|w| {
        let data = serde_json::json!({"verdict": verdict.as_str(), "receipt_id": receipt_id});
        w.record(now, "verified", id, data)
    })?;
    let promoted = entry
        .status()
        .is_some_and(|s| s.trim().eq_ignore_ascii_case("promoted"));
    let mut rolled_back = None;
    if verdict == Verdict::Fail
        && promoted
        && failures_since_promotion(store, id) >= store.config().rollback_threshold
    {
        let reason = format!("verification FAIL ({receipt_id})");
        // The verdict stands and is reported whatever the rollback meets.
        rolled_back = Some(
            crate::verify::promotion::rollback(store, id, &reason, false, now)
                .map(|done| done.removed)
                .map_err(|e| e.to_string()),
        );
    }
    Ok(Verified {
        verdict,
        receipt_id,
        reasons,
        rolled_back,
    })
}

fn redact_strings(v: &mut Value) {
    match v {
        Value::String(s) => {
            if let std::borrow::Cow::Owned(r) = crate::redact::redact(s) {
                *s = r;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact_strings),
        Value::Object(map) => map.values_mut().for_each(redact_strings),
        _ => {}
    }
}

/// The observations, from the result file when there is one, else by running the spec.
fn observe_locally(
    store: &Store,
    spec: &Spec,
    kind: Kind,
    entry: &Entry<'_>,
    given: Option<&Map<String, Value>>,
) -> Observed {
    match given {
        Some(map) => observe(spec, &Source::Given(map)),
        None => {
            let command = (kind == Kind::Error)
                .then(|| context_command(entry))
                .flatten();
            observe(
                spec,
                &Source::Run {
                    root: store.root(),
                    command: command.as_deref(),
                },
            )
        }
    }
}

/// How many verifications of `id` failed since it was last promoted, by the audit chain.
fn failures_since_promotion(store: &Store, id: &str) -> u64 {
    let mut failures = 0;
    for e in crate::store::audit::history(store.dir(), id).0 {
        match e["action"].as_str() {
            Some("promoted") => failures = 0,
            Some("verified") if e["data"]["verdict"] == "FAIL" => failures += 1,
            _ => {}
        }
    }
    failures
}

/// The entry's new text: Verified, Receipt ID, the Verification section, the status, and on
/// FAIL the mismatches added to Counter-Evidence.
fn record(
    e: &Entry<'_>,
    verdict: Verdict,
    receipt_id: &str,
    reasons: &[String],
    at: &str,
) -> String {
    let mut text = e.with_field(
        "Verified",
        if verdict == Verdict::Pass {
            "true"
        } else {
            "false"
        },
    );
    text = edit(&text, |e| e.with_field("Receipt ID", receipt_id));
    let status = e.status().unwrap_or("").trim().to_lowercase();
    let new_status = match (verdict, status.as_str()) {
        (Verdict::Pass, "pending" | "in_progress") => Some("resolved"),
        (Verdict::Fail, "resolved" | "in_progress") => Some("pending"),
        _ => None,
    };
    if let Some(s) = new_status {
        text = edit(&text, |e| e.with_field("Status", s));
    }
    let mismatches = if reasons.is_empty() {
        "none".to_owned()
    } else {
        reasons.join("; ")
    };
    let body = format!(
        "- **Verdict**: {}\n- **Receipt**: {receipt_id}\n- **Verified at**: {at}\n- **Mismatches**: {}",
        verdict.as_str(),
        crate::format::render::one_line(&mismatches)
    );
    text = edit(&text, |e| e.with_section("Verification", &body));
    if verdict == Verdict::Fail {
        let line = format!(
            "- {at} FAIL ({receipt_id}): {}",
            crate::format::render::one_line(&mismatches)
        );
        text = edit(&text, |e| {
            let old = e.section("counter-evidence").unwrap_or("").trim_end();
            let body = if old.is_empty() {
                line.clone()
            } else {
                format!("{old}\n{line}")
            };
            e.with_section("Counter-Evidence", &body)
        });
    }
    text
}

fn edit(text: &str, f: impl FnOnce(&Entry<'_>) -> String) -> String {
    f(&Entry::parse(text).expect("an edit keeps the header"))
}

/// The command an ERR entry records in its Context (`- Command: `…``).
fn context_command(e: &Entry<'_>) -> Option<String> {
    let context = e.section("context")?;
    let line = context
        .lines()
        .find_map(|l| l.trim().strip_prefix("- Command:"))?
        .trim();
    let ticks = line.chars().take_while(|&c| c == '`').count();
    let inner = line.get(ticks..line.len().checked_sub(ticks)?)?;
    Some(if ticks > 1 { inner.trim() } else { inner }.to_owned())
}
