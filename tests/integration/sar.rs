//! External verifiers: SAR v0.1 receipts, signed in the test with a generated Ed25519 key,
//! checked offline (SPEC 6.3).

use ed25519_dalek::{Signer, SigningKey};
use evolver::verify::sar::{base64url_encode, core, task_id};
use serde_json::{Value, json};

use crate::harness::Project;

const SPEC: &str = r#"{"expected": {"valid_json": true}}"#;

struct Setup {
    p: Project,
    id: String,
    task: String,
    key: SigningKey,
}

fn setup() -> Setup {
    let p = Project::init();
    let id = p
        .ok(&["log", "learning", "--summary", "checked elsewhere"])
        .trim()
        .to_owned();
    p.ok(&["spec", &id, "--json", SPEC]);
    p.write("result.json", r#"{"valid_json": true}"#);
    let key = SigningKey::from_bytes(&[7; 32]);
    let x = base64url_encode(key.verifying_key().as_bytes());
    p.write(
        "sar-keys.json",
        json!({"keys": [{"kid": "sw-1", "kty": "OKP", "crv": "Ed25519", "x": x}]}).to_string(),
    );
    // The verifier saves what it was sent and answers with receipt.json.
    p.write("verifier.sh", "cat > sent.json; cat receipt.json\n");
    let sha = evolver::verify::Spec::parse(SPEC).unwrap().sha256();
    let task = task_id(&id, &sha);
    Setup { p, id, task, key }
}

/// A SAR receipt for `task`, signed with `key`.
fn signed(task: &str, verdict: &str, key: &SigningKey) -> Value {
    use sha2::{Digest, Sha256};
    let hash = |b: &[u8]| -> String {
        Sha256::digest(b)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    };
    let mut r = json!({
        "task_id_hash": format!("sha256:{}", hash(task.as_bytes())),
        "verdict": verdict, "confidence": 0.98, "reason_code": "SPEC_MET",
        "ts": "2026-12-01T10:00:00Z", "verifier_kid": "sw-1",
    });
    let digest = Sha256::digest(
        evolver::verify::canonical::to_string(&core(r.as_object().unwrap())).as_bytes(),
    );
    r["receipt_id"] = format!(
        "sha256:{}",
        digest
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    )
    .into();
    r["sig"] = format!(
        "base64url:{}",
        base64url_encode(&key.sign(&digest).to_bytes())
    )
    .into();
    r
}

fn verify(s: &Setup) -> (Option<i32>, String) {
    let out = s.p.run(&[
        "verify",
        &s.id,
        "--result",
        "result.json",
        "--external",
        "sh verifier.sh",
        "--approve",
        "--keys",
        "sar-keys.json",
    ]);
    (out.status.code(), String::from_utf8(out.stdout).unwrap())
}

#[test]
fn a_valid_signed_receipt_decides_the_verdict() {
    let s = setup();
    s.p.write(
        "receipt.json",
        json!({"receipt_v0_1": signed(&s.task, "PASS", &s.key)}).to_string(),
    );
    let (code, out) = verify(&s);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.starts_with("PASS sha256:"), "{out}");
    let sent: Value = serde_json::from_str(&s.p.read("sent.json")).unwrap();
    assert_eq!(sent["task_id"], s.task);
    assert_eq!(sent["agent_id"], "local:capability-evolver");
    assert_eq!(sent["output"], json!({"valid_json": true}));
    let rid = out.split_whitespace().nth(1).unwrap();
    let receipt: Value = serde_json::from_str(&s.p.read(&format!(
        ".learnings/receipts/{}.json",
        rid.trim_start_matches("sha256:")
    )))
    .unwrap();
    assert_eq!(receipt["verifier"], "external");
    assert_eq!(receipt["sar"]["verdict"], "PASS");
    assert_eq!(evolver::verify::receipt_id(&receipt), rid);
    assert!(s.p.ok(&["show", &s.id]).contains("**Status**: resolved"));
}

#[test]
fn a_receipt_that_does_not_hold_is_indeterminate() {
    let s = setup();
    let other = SigningKey::from_bytes(&[9; 32]);
    let mut edited = signed(&s.task, "FAIL", &s.key);
    edited["verdict"] = "PASS".into();
    let mut bad_sig = signed(&s.task, "PASS", &s.key);
    bad_sig["sig"] = "base64url:***not-base64***".into();
    for (what, receipt, reason) in [
        (
            "wrong key",
            signed(&s.task, "PASS", &other),
            "does not verify against key `sw-1`",
        ),
        (
            "wrong task id",
            signed("evolver:LRN-20990101-001@sha256:00", "PASS", &s.key),
            "another task",
        ),
        ("edited verdict", edited, "does not recompute"),
        ("bad base64", bad_sig, "not valid base64url"),
    ] {
        s.p.write("receipt.json", receipt.to_string());
        let (code, out) = verify(&s);
        assert_eq!(code, Some(1), "{what}: {out}");
        assert!(out.starts_with("INDETERMINATE sha256:"), "{what}: {out}");
        assert!(out.contains(reason), "{what}: {reason:?} not in {out}");
    }
    assert!(s.p.ok(&["show", &s.id]).contains("**Status**: pending"));
}

#[test]
fn a_validly_signed_fail_is_a_fail() {
    let s = setup();
    s.p.write("receipt.json", signed(&s.task, "FAIL", &s.key).to_string());
    let (code, out) = verify(&s);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.starts_with("FAIL sha256:"), "{out}");
    let entry = s.p.ok(&["show", &s.id]);
    assert!(entry.contains("**Verified**: false"), "{entry}");
}

#[test]
fn a_key_that_is_not_ed25519_in_either_field_is_refused() {
    let s = setup();
    s.p.write("receipt.json", signed(&s.task, "PASS", &s.key).to_string());
    let x = base64url_encode(s.key.verifying_key().as_bytes());
    for (kty, crv) in [("EC", "Ed25519"), ("OKP", "X25519")] {
        s.p.write(
            "sar-keys.json",
            json!({"keys": [{"kid": "sw-1", "kty": kty, "crv": crv, "x": x}]}).to_string(),
        );
        let (code, out) = verify(&s);
        assert_eq!(code, Some(1), "{kty}/{crv}: {out}");
        assert!(
            out.starts_with("INDETERMINATE sha256:"),
            "{kty}/{crv}: {out}"
        );
        assert!(
            out.contains("key `sw-1` is not an Ed25519 (OKP) key"),
            "{kty}/{crv}: {out}"
        );
    }
}

#[test]
fn nothing_is_sent_without_approve_and_what_is_sent_is_redacted() {
    let s = setup();
    s.p.write("receipt.json", signed(&s.task, "PASS", &s.key).to_string());
    let err = s.p.fails(
        &[
            "verify",
            &s.id,
            "--external",
            "sh verifier.sh",
            "--keys",
            "sar-keys.json",
        ],
        1,
    );
    assert!(
        err.contains("nothing was sent") && err.contains("--approve"),
        "{err}"
    );
    assert!(!s.p.path("sent.json").exists());
    s.p.write(
        "result.json",
        r#"{"valid_json": true, "note": "token=ghp_FAKEfakeFAKEfakeFAKEfakeFAKEfake1234"}"#,
    );
    s.p.ok(&[
        "spec",
        &s.id,
        "--json",
        r#"{"expected": {"valid_json": true, "note": "x"}}"#,
    ]);
    verify(&s);
    let sent = s.p.read("sent.json");
    assert!(!sent.contains("ghp_FAKE"), "{sent}");
    let sent: Value = serde_json::from_str(&sent).expect("still JSON after redaction");
    assert_eq!(sent["output"]["note"], "token=[REDACTED:github_token]");
    // A quoted secret inside a string stays valid JSON and goes too.
    s.p.write(
        "result.json",
        r#"{"valid_json": true, "note": "PASSWORD="hunter2x" make"}"#,
    );
    verify(&s);
    let sent: Value = serde_json::from_str(&s.p.read("sent.json")).expect("valid JSON");
    assert!(!sent.to_string().contains("hunter2x"), "{sent}");
}
