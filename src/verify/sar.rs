//! External verifiers (SPEC 6.3): a command that answers with a signed SAR v0.1 receipt, as
//! the SettlementWitness service does, checked offline against a key registry.
//!
//! A SAR receipt counts only when its `task_id_hash` is `sha256:` + SHA-256 of the task id we
//! sent, its `receipt_id` is `sha256:` + SHA-256 of the RFC 8785 canonical JSON of the signed
//! core (`task_id_hash`, `verdict`, `confidence`, `reason_code`, `ts`, `verifier_kid`, and
//! `counterparty` when present), and `sig` (`base64url:` + an Ed25519 signature over those 32
//! digest bytes) verifies against the key with that `kid` in the registry (the
//! `/.well-known/sar-keys.json` shape: `{"keys": [{"kid", "kty": "OKP", "crv": "Ed25519",
//! "x"}]}`).

use base64::Engine;
use base64::engine::general_purpose::{URL_SAFE, URL_SAFE_NO_PAD};
use ed25519_dalek::{Signature, VerifyingKey};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::verify::Verdict;
use crate::verify::canonical;

const CORE: [&str; 6] = [
    "task_id_hash",
    "verdict",
    "confidence",
    "reason_code",
    "ts",
    "verifier_kid",
];

/// The task id sent to the verifier: `evolver:<entry id>@sha256:<spec_sha256>`.
pub fn task_id(entry_id: &str, spec_sha256: &str) -> String {
    format!("evolver:{entry_id}@sha256:{spec_sha256}")
}

/// The signed core of a SAR receipt, as canonical JSON hashes it.
pub fn core(receipt: &Map<String, Value>) -> Value {
    let mut core = Map::new();
    for k in CORE {
        if let Some(v) = receipt.get(k) {
            core.insert(k.to_owned(), v.clone());
        }
    }
    if let Some(c) = receipt.get("counterparty") {
        core.insert("counterparty".into(), c.clone());
    }
    Value::Object(core)
}

/// Checks a SAR receipt (flat or under `receipt_v0_1`) for the task id we sent; its verdict
/// when it holds, else why not.
pub fn check(output: &Value, task_id: &str, keys: &Value) -> Result<(Verdict, Value), String> {
    let receipt = output
        .get("receipt_v0_1")
        .unwrap_or(output)
        .as_object()
        .ok_or("the verifier did not answer with a JSON object")?;
    let field = |k: &str| {
        receipt
            .get(k)
            .and_then(Value::as_str)
            .ok_or(format!("the SAR receipt has no `{k}`"))
    };
    for k in CORE {
        if !receipt.contains_key(k) {
            return Err(format!("the SAR receipt has no `{k}`"));
        }
    }
    let want_hash = format!("sha256:{}", crate::store::sha256_hex(task_id.as_bytes()));
    if field("task_id_hash")? != want_hash {
        return Err("the SAR receipt is for another task (task_id_hash differs)".into());
    }
    let digest = Sha256::digest(canonical::to_string(&core(receipt)).as_bytes());
    if field("receipt_id")? != format!("sha256:{}", crate::store::hex(&digest)) {
        return Err("the SAR receipt_id does not recompute (the receipt was edited)".into());
    }
    let sig = field("sig")?
        .strip_prefix("base64url:")
        .ok_or("the SAR sig is not base64url:…")?;
    let sig = base64url_decode(sig).ok_or("the SAR sig is not valid base64url")?;
    let sig = Signature::from_slice(&sig).map_err(|_| "the SAR sig is not an Ed25519 signature")?;
    let kid = field("verifier_kid")?;
    let key = keys
        .get("keys")
        .and_then(Value::as_array)
        .and_then(|ks| {
            ks.iter()
                .find(|k| k.get("kid").and_then(Value::as_str) == Some(kid))
        })
        .ok_or(format!("no key `{kid}` in the key registry"))?;
    if key.get("kty").and_then(Value::as_str) != Some("OKP")
        || key.get("crv").and_then(Value::as_str) != Some("Ed25519")
    {
        return Err(format!("key `{kid}` is not an Ed25519 (OKP) key"));
    }
    let x = key
        .get("x")
        .and_then(Value::as_str)
        .and_then(base64url_decode)
        .and_then(|x| <[u8; 32]>::try_from(x).ok())
        .ok_or(format!("key `{kid}` has no valid `x`"))?;
    let key =
        VerifyingKey::from_bytes(&x).map_err(|_| format!("key `{kid}` is not a valid point"))?;
    key.verify_strict(&digest, &sig)
        .map_err(|_| format!("the SAR signature does not verify against key `{kid}`"))?;
    let verdict = match field("verdict")?.to_ascii_uppercase().as_str() {
        "PASS" => Verdict::Pass,
        "FAIL" => Verdict::Fail,
        _ => Verdict::Indeterminate,
    };
    Ok((verdict, Value::Object(receipt.clone())))
}

/// Unpadded base64url (RFC 4648 §5).
pub fn base64url_encode(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Decodes base64url, unpadded or canonically padded; `None` on anything else (another
/// alphabet, an impossible length, non-zero trailing bits).
pub fn base64url_decode(text: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD
        .decode(text)
        .or_else(|_| URL_SAFE.decode(text))
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 4648 §10's test vectors, in the URL-safe alphabet and unpadded as we write them.
    const RFC_4648: [(&[u8], &str); 7] = [
        (b"", ""),
        (b"f", "Zg"),
        (b"fo", "Zm8"),
        (b"foo", "Zm9v"),
        (b"foob", "Zm9vYg"),
        (b"fooba", "Zm9vYmE"),
        (b"foobar", "Zm9vYmFy"),
    ];

    #[test]
    fn base64url_follows_rfc_4648() {
        for (bytes, text) in RFC_4648 {
            assert_eq!(base64url_encode(bytes), text);
            assert_eq!(base64url_decode(text).as_deref(), Some(bytes), "{text}");
        }
        // Padded input reads the same; the URL-safe alphabet holds `-` and `_`.
        assert_eq!(base64url_decode("Zg==").as_deref(), Some(&b"f"[..]));
        assert_eq!(base64url_decode("Zm8=").as_deref(), Some(&b"fo"[..]));
        assert_eq!(base64url_encode(b"\xfb\xff"), "-_8");
        for bad in [
            "a+b/",  // the standard alphabet's characters
            "Z",     // no length leaves one character over
            "Zm9vY", // nor this one
            "Zh",    // `f` with non-zero trailing bits
            "Zm9",   // `fo` with non-zero trailing bits
            "Zg=",   // half padded
            "Zg===", // over padded
            "Zm 9v", // a space
        ] {
            assert_eq!(base64url_decode(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_task_id_binds_entry_and_spec() {
        assert_eq!(
            task_id("LRN-20261122-001", "ab12"),
            "evolver:LRN-20261122-001@sha256:ab12"
        );
    }
}
