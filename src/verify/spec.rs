//! The verification spec (SPEC 6.1): the JSON object in an entry's `### Verification Spec`
//! that says what to run and which observations to expect.

use std::time::Duration;

use serde_json::{Map, Value};

use crate::verify::canonical;

const DEFAULT_TIMEOUT_S: u64 = 120;

/// A verification spec as written in the entry.
#[derive(Debug, Clone)]
pub struct Spec {
    /// The whole spec, for its hash.
    pub value: Value,
    pub run: Option<String>,
    pub timeout: Duration,
    pub schema: Option<String>,
    pub file: Option<String>,
    pub expected: Map<String, Value>,
}

impl Spec {
    /// Reads a spec from JSON text; the error says what is wrong with it.
    pub fn parse(text: &str) -> Result<Spec, String> {
        let value: Value =
            serde_json::from_str(text).map_err(|e| format!("the spec is not valid JSON: {e}"))?;
        let obj = value
            .as_object()
            .ok_or_else(|| "the spec must be a JSON object".to_owned())?;
        let text_of = |k: &str| -> Result<Option<String>, String> {
            match obj.get(k) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.clone())),
                Some(_) => Err(format!("`{k}` must be a string")),
            }
        };
        let expected = match obj.get("expected") {
            Some(Value::Object(m)) if !m.is_empty() => m.clone(),
            _ => return Err("`expected` is required and must be a non-empty object".into()),
        };
        let timeout = match obj.get("timeout_s") {
            None | Some(Value::Null) => DEFAULT_TIMEOUT_S,
            Some(v) => v
                .as_u64()
                .filter(|&t| t > 0)
                .ok_or_else(|| "`timeout_s` must be a positive whole number".to_owned())?,
        };
        Ok(Spec {
            run: text_of("run")?,
            timeout: Duration::from_secs(timeout),
            schema: text_of("schema")?,
            file: text_of("file")?,
            expected,
            value,
        })
    }

    /// SHA-256 over the spec's canonical JSON.
    pub fn sha256(&self) -> String {
        canonical::sha256_hex(&self.value)
    }
}

/// The JSON inside the first fenced block of a `### Verification Spec` section body (or the
/// body itself when it holds no fence).
pub fn spec_text(section: &str) -> &str {
    let mut lines = section.split_inclusive('\n');
    let mut start = 0;
    let mut fence: Option<(char, usize)> = None;
    for line in lines.by_ref() {
        let t = line.trim();
        let ch = t.chars().next().unwrap_or(' ');
        if ch == '`' || ch == '~' {
            let n = t.chars().take_while(|&c| c == ch).count();
            if n >= 3 {
                fence = Some((ch, n));
                start += line.len();
                break;
            }
        }
        start += line.len();
    }
    let Some((ch, n)) = fence else {
        return section.trim();
    };
    let mut end = start;
    for line in lines {
        let t = line.trim();
        if t.chars().take_while(|&c| c == ch).count() >= n && t.chars().all(|c| c == ch) {
            break;
        }
        end += line.len();
    }
    section[start..end].trim()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_spec_is_read_from_its_fence() {
        assert_eq!(spec_text("```json\n{\"a\": 1}\n```\n"), "{\"a\": 1}");
        assert_eq!(spec_text("{\"a\": 1}"), "{\"a\": 1}");
        assert!(Spec::parse(r#"{"expected": {}}"#).is_err());
        assert!(Spec::parse("not json").is_err());
    }
}
