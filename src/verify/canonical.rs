//! Canonical JSON (RFC 8785, the JSON Canonicalization Scheme): the one byte string a JSON
//! value hashes as, whoever wrote it and however it was spaced.
//!
//! Object members are sorted by their names as UTF-16 code units, nothing is written between
//! tokens, strings escape only what JSON requires (with the short escapes and lower-case
//! `\u00xx`), and numbers are written as ECMAScript writes them.

use serde_json::Value;

/// The canonical bytes of `value`.
pub fn to_string(value: &Value) -> String {
    let mut out = String::new();
    write(value, &mut out);
    out
}

/// SHA-256 of the canonical bytes, lower-case hex.
pub fn sha256_hex(value: &Value) -> String {
    crate::store::sha256_hex(to_string(value).as_bytes())
}

fn write(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => number(n, out),
        Value::String(s) => string(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut members: Vec<(&String, &Value)> = map.iter().collect();
            members.sort_by(|a, b| a.0.encode_utf16().cmp(b.0.encode_utf16()));
            out.push('{');
            for (i, (k, v)) in members.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                string(k, out);
                out.push(':');
                write(v, out);
            }
            out.push('}');
        }
    }
}

fn string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// ECMAScript's Number::toString for the value: integers in full, others in the shortest
/// form that reads back the same, with an exponent outside [1e-6, 1e21).
fn number(n: &serde_json::Number, out: &mut String) {
    // Integers a double holds exactly are written in full; larger ones, as ECMAScript
    // would, after rounding to a double.
    const EXACT: u64 = 1 << 53;
    if let Some(i) = n.as_i64().filter(|i| i.unsigned_abs() <= EXACT) {
        out.push_str(&i.to_string());
        return;
    }
    if let Some(u) = n.as_u64().filter(|&u| u <= EXACT) {
        out.push_str(&u.to_string());
        return;
    }
    let f = n.as_f64().unwrap_or(0.0);
    if f == 0.0 {
        out.push('0');
        return;
    }
    let abs = f.abs();
    if (1e-6..1e21).contains(&abs) {
        // Rust's shortest round-trip form, without an exponent in this range.
        out.push_str(&format!("{f}"));
    } else {
        let s = format!("{f:e}");
        let (mantissa, exp) = s.split_once('e').unwrap_or((&s, "0"));
        let sign = if exp.starts_with('-') { "" } else { "+" };
        out.push_str(&format!("{mantissa}e{sign}{exp}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sorts_members_by_utf16_and_drops_whitespace() {
        let v: Value = serde_json::from_str(
            r#"{ "b": [1, 2.5, true, null], "a": {"z": "x", "\u00e9": 1, "\ud83d\ude00": 2, "\ufb33": 3} }"#,
        )
        .unwrap();
        // U+FB33 sorts after U+1F600 by UTF-16 (0xD83D < 0xFB33) but before it by code point.
        assert_eq!(
            to_string(&v),
            "{\"a\":{\"z\":\"x\",\"\u{e9}\":1,\"\u{1f600}\":2,\"\u{fb33}\":3},\"b\":[1,2.5,true,null]}"
        );
    }

    #[test]
    fn numbers_and_strings_as_ecmascript_writes_them() {
        let v = json!([1e21, 1e-7, 0.1, -0.0, 123456789, "\u{1}\t\"\\/"]);
        let big = json!([9_007_199_254_740_993_u64, u64::MAX, i64::MIN]);
        // As node prints them: rounded to doubles first.
        assert_eq!(
            to_string(&big),
            "[9007199254740992,18446744073709552000,-9223372036854776000]"
        );
        assert_eq!(
            to_string(&v),
            "[1e+21,1e-7,0.1,0,123456789,\"\\u0001\\t\\\"\\\\/\"]"
        );
    }
}
