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

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Unpadded base64url (RFC 4648 §5).
pub fn base64url_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().fold(0u32, |n, &b| (n << 8) | u32::from(b)) << (8 * (3 - chunk.len()));
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
        }
    }
    out
}

/// Decodes base64url, padded or not; `None` on anything else.
pub fn base64url_decode(text: &str) -> Option<Vec<u8>> {
    let text = text.trim_end_matches('=');
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0);
    for c in text.bytes() {
        let v = ALPHABET.iter().position(|&a| a == c)? as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    (bits < 6 && acc == 0).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64url_round_trips() {
        for bytes in [&b""[..], b"f", b"fo", b"foo", b"foob", b"\xff\xfe\xfd"] {
            assert_eq!(base64url_decode(&base64url_encode(bytes)).unwrap(), bytes);
        }
        assert_eq!(base64url_encode(b"\xfb\xff"), "-_8");
        assert!(base64url_decode("a+b/").is_none());
    }
}
