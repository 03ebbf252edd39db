//! Verdicts and receipts (SPEC 6.2, 6.3): the verdict that a spec's observations give, and the
//! content-addressed receipt that records it.
//!
//! The verdict depends on nothing but the spec and the observations: PASS when every expected
//! observation was made and equals its expected value, FAIL when one that was made differs,
//! INDETERMINATE when none differs but one could not be made. The receipt's id is SHA-256 over
//! the canonical JSON (RFC 8785) of everything in it but the id and the time, so the same spec
//! and observations give the same id on any machine.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};

use crate::verify::canonical;
use crate::verify::observe::Observed;

pub const RECEIPT_VERSION: &str = "evolver-receipt/1";

/// The three verdicts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Pass,
    Fail,
    Indeterminate,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "PASS",
            Verdict::Fail => "FAIL",
            Verdict::Indeterminate => "INDETERMINATE",
        }
    }
}

/// The verdict of SPEC 6.2, with one reason per mismatch or observation not made.
pub fn judge(expected: &Map<String, Value>, observed: &Observed) -> (Verdict, Vec<String>) {
    let mut reasons = Vec::new();
    let mut differs = false;
    for (name, want) in expected {
        if let Some(got) = observed.values.get(name)
            && got != want
        {
            differs = true;
            reasons.push(format!("{name}: expected {want}, observed {got}"));
        }
    }
    reasons.extend(observed.unmade.iter().cloned());
    // In a stable order, whatever order the spec's text gave its names.
    reasons.sort();
    let verdict = if differs {
        Verdict::Fail
    } else if observed.unmade.is_empty() {
        Verdict::Pass
    } else {
        Verdict::Indeterminate
    };
    (verdict, reasons)
}

/// A receipt (SPEC 6.3), with its content-addressed id. An external verifier's SAR receipt,
/// when there is one, is kept beside our fields (and so is part of what the id covers).
pub fn receipt(
    entry_id: &str,
    spec_sha256: &str,
    observed: &Map<String, Value>,
    verdict: Verdict,
    reasons: &[String],
    issued_at: &str,
    sar: Option<&Value>,
) -> Value {
    let mut r = json!({
        "version": RECEIPT_VERSION,
        "entry_id": entry_id,
        "spec_sha256": spec_sha256,
        "observed": observed,
        "verdict": verdict.as_str(),
        "reasons": reasons,
        "verifier": if sar.is_some() { "external" } else { "local" },
    });
    if let Some(sar) = sar {
        r["sar"] = sar.clone();
    }
    let id = receipt_id(&r);
    r["receipt_id"] = id.into();
    r["issued_at"] = issued_at.into();
    r
}

/// `sha256:` + SHA-256 of the canonical JSON of every field but `receipt_id` and `issued_at`.
pub fn receipt_id(receipt: &Value) -> String {
    let mut core = receipt.clone();
    if let Some(map) = core.as_object_mut() {
        map.remove("receipt_id");
        map.remove("issued_at");
    }
    format!("sha256:{}", canonical::sha256_hex(&core))
}

/// The receipt file for an id: `.learnings/receipts/<hex>.json`.
pub fn receipt_path(learnings: &Path, id: &str) -> PathBuf {
    learnings
        .join("receipts")
        .join(format!("{}.json", id.trim_start_matches("sha256:")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify::observe::{Source, observe};
    use crate::verify::spec::Spec;

    fn spec(text: &str) -> Spec {
        Spec::parse(text).unwrap()
    }

    #[test]
    fn the_same_spec_and_observations_give_the_same_receipt_id() {
        // A fixed vector: if this id changes, receipts written before no longer recompute.
        let s = spec(r#"{"expected": {"valid_json": true, "matches_schema": true}}"#);
        let given = json!({"matches_schema": true, "valid_json": true});
        let o = observe(&s, &Source::Given(given.as_object().unwrap()));
        let (verdict, reasons) = judge(&s.expected, &o);
        assert_eq!(verdict, Verdict::Pass);
        assert_eq!(
            s.sha256(),
            crate::store::sha256_hex(br#"{"expected":{"matches_schema":true,"valid_json":true}}"#)
        );
        // Computed independently (Python's hashlib over the canonical text by hand).
        assert_eq!(
            s.sha256(),
            "5b681abb2fece5fde52b8f64c36b02ca54c6f76a208a142d7df9819a98bbdfd9"
        );
        let r1 = receipt(
            "LRN-20261122-001",
            &s.sha256(),
            &o.values,
            verdict,
            &reasons,
            "t1",
            None,
        );
        assert_eq!(
            r1["receipt_id"],
            "sha256:5a9840fc3f2f03eedc6aa82eb8364f648457726df4a62c40a2b0388461bdd05a"
        );
        let r2 = receipt(
            "LRN-20261122-001",
            &s.sha256(),
            &o.values,
            verdict,
            &reasons,
            "t2",
            None,
        );
        assert_eq!(r1["receipt_id"], r2["receipt_id"]);
        let core = format!(
            r#"{{"entry_id":"LRN-20261122-001","observed":{{"matches_schema":true,"valid_json":true}},"reasons":[],"spec_sha256":"{}","verdict":"PASS","verifier":"local","version":"evolver-receipt/1"}}"#,
            s.sha256()
        );
        assert_eq!(
            r1["receipt_id"],
            format!("sha256:{}", crate::store::sha256_hex(core.as_bytes()))
        );
    }

    #[test]
    fn verdicts_follow_the_rules() {
        let s = spec(r#"{"expected": {"exit_code": 0, "file_exists": true}}"#);
        let given = |v: Value| {
            let o = observe(&s, &Source::Given(v.as_object().unwrap()));
            judge(&s.expected, &o).0
        };
        assert_eq!(
            given(json!({"exit_code": 0, "file_exists": true})),
            Verdict::Pass
        );
        assert_eq!(
            given(json!({"exit_code": 1, "file_exists": true})),
            Verdict::Fail
        );
        assert_eq!(given(json!({"exit_code": 1})), Verdict::Fail);
        assert_eq!(given(json!({"exit_code": 0})), Verdict::Indeterminate);
    }
}
