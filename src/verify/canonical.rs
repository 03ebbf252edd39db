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

/// ECMAScript's Number::toString for the value, after rounding it to a double as ECMAScript
/// would: the shortest digits that read back the same (the even one of two equally near), in
/// full below 1e21 and down to 1e-6, with an exponent outside that range. `ryu-js` is kept
/// for exactly this by an ECMAScript engine's authors.
fn number(n: &serde_json::Number, out: &mut String) {
    // serde_json holds every number as an i64, a u64 or a finite f64.
    let f = n.as_f64().unwrap_or(0.0);
    out.push_str(ryu_js::Buffer::new().format_finite(f));
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

    /// RFC 8785 §3.2.2's example: whitespace, number forms and string escapes.
    #[test]
    fn rfc_8785_example() {
        let input = r#"{
          "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
          "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
          "literals": [null, true, false]
        }"#;
        let v: Value = serde_json::from_str(input).unwrap();
        assert_eq!(
            to_string(&v),
            r#"{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}"#
        );
    }

    /// RFC 8785 §3.2.3's example: members sorted by UTF-16 code units.
    #[test]
    fn rfc_8785_sorting_example() {
        let input = r#"{
          "\u20ac": "Euro Sign",
          "\r": "Carriage Return",
          "\ufb33": "Hebrew Letter Dalet With Dagesh",
          "1": "One",
          "\ud83d\ude00": "Emoji: Grinning Face",
          "\u0080": "Control",
          "\u00f6": "Latin Small Letter O With Diaeresis"
        }"#;
        let v: Value = serde_json::from_str(input).unwrap();
        let names: Vec<String> = match serde_json::from_str::<Value>(&to_string(&v)).unwrap() {
            Value::Object(map) => map.keys().cloned().collect(),
            _ => unreachable!(),
        };
        assert_eq!(
            names,
            [
                "\r",
                "1",
                "\u{80}",
                "\u{f6}",
                "\u{20ac}",
                "\u{1f600}",
                "\u{fb33}"
            ]
        );
    }

    /// RFC 8785 Appendix B: IEEE 754 doubles, by their bits, as ECMAScript writes them.
    #[test]
    fn rfc_8785_number_table() {
        let table: [(u64, &str); 24] = [
            (0x0000000000000000, "0"),
            (0x8000000000000000, "0"),
            (0x0000000000000001, "5e-324"),
            (0x8000000000000001, "-5e-324"),
            (0x7fefffffffffffff, "1.7976931348623157e+308"),
            (0xffefffffffffffff, "-1.7976931348623157e+308"),
            (0x4340000000000000, "9007199254740992"),
            (0xc340000000000000, "-9007199254740992"),
            (0x4430000000000000, "295147905179352830000"),
            (0x44b52d02c7e14af5, "9.999999999999997e+22"),
            (0x44b52d02c7e14af6, "1e+23"),
            (0x44b52d02c7e14af7, "1.0000000000000001e+23"),
            (0x444b1ae4d6e2ef4e, "999999999999999700000"),
            (0x444b1ae4d6e2ef4f, "999999999999999900000"),
            (0x444b1ae4d6e2ef50, "1e+21"),
            (0x3eb0c6f7a0b5ed8c, "9.999999999999997e-7"),
            (0x3eb0c6f7a0b5ed8d, "0.000001"),
            (0x41b3de4355555553, "333333333.3333332"),
            (0x41b3de4355555554, "333333333.33333325"),
            (0x41b3de4355555555, "333333333.3333333"),
            (0x41b3de4355555556, "333333333.3333334"),
            (0x41b3de4355555557, "333333333.33333343"),
            (0xbecbf647612f3696, "-0.0000033333333333333333"),
            (0x43143ff3c1cb0959, "1424953923781206.2"),
        ];
        for (bits, want) in table {
            let v = json!(f64::from_bits(bits));
            assert_eq!(to_string(&v), want, "{bits:#018x}");
        }
    }

    #[test]
    fn strings_keep_spaces_and_other_text_as_it_is() {
        let v = json!({"a b": " x  y ", "é": "ü\u{7f}"});
        assert_eq!(to_string(&v), "{\"a b\":\" x  y \",\"é\":\"ü\u{7f}\"}");
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
