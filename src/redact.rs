//! Secret redaction (SPEC 5.3): nothing captured from a tool reaches a file or stdout with a
//! credential in it.
//!
//! Each rule pairs a regular expression with a few literal *triggers*, words that any match
//! must contain. A rule's expression is compiled only the first time a text holds one of its
//! triggers, so a hook that sees ordinary output compiles nothing: the hooks run on every shell
//! command and most outputs hold no secret at all.
//!
//! A secret is replaced by `[REDACTED:<kind>]`. Only the secret goes: the name in
//! `PASSWORD=…`, the user in `https://user:…@host`, the scheme in `Authorization: Bearer …`
//! stay, so the redacted text still says what went wrong.

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::{Captures, Regex};

/// One kind of secret.
struct Rule {
    kind: &'static str,
    /// Lower-case literals; the rule runs only when the lower-cased text holds one.
    triggers: &'static [&'static str],
    /// The expression; the group named `s` is the secret (the whole match when there is none).
    regex: &'static LazyLock<Regex>,
    /// A shell reference (`$NAME`, `${NAME}`) in the secret's place is kept: it names the
    /// secret rather than holding it.
    references: bool,
    /// Only a value with a digit in it counts, which tells keys from ordinary words.
    needs_digit: bool,
}

macro_rules! rule {
    ($kind:literal, [$($t:literal),+], $re:literal) => {{
        static RE: LazyLock<Regex> = LazyLock::new(|| Regex::new($re).expect("a valid rule"));
        Rule { kind: $kind, triggers: &[$($t),+], regex: &RE, references: false, needs_digit: false }
    }};
}

/// Words that make a `NAME=value` or `"name": "value"` pair a secret. A name matches when it
/// holds one of them followed by the end of the name or a separator, so `DB_PASSWORD` and
/// `client_secret` match and `max_tokens` does not.
const NAME: &str = r"[A-Za-z0-9_.-]*(?i:password|passwd|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key)(?:[_.-][A-Za-z0-9_.-]*)?";

/// The rules, most specific first: a token is named by its own kind before the generic
/// assignment rule sees it.
static RULES: LazyLock<Vec<Rule>> = LazyLock::new(|| {
    vec![
        rule!(
            "private_key",
            ["private key"],
            r"-----BEGIN[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----(?s:.*?)(?:-----END[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|\z)"
        ),
        // The password runs to the last `@` before the host: passwords may hold `@`.
        rule!(
            "url_password",
            ["://"],
            r"[A-Za-z][A-Za-z0-9+.-]*://[^\s:/@]*:(?P<s>[^\s/]+)@"
        ),
        rule!(
            "authorization",
            ["authorization"],
            r"(?i:authorization)['\x22]?\s*[:=]\s*['\x22]?(?i:bearer|basic|token)\s+(?P<s>[A-Za-z0-9._~+/-]{8,}=*)"
        ),
        Rule {
            needs_digit: true,
            ..rule!(
                "authorization",
                ["bearer"],
                r"(?i:\bbearer)\s+(?P<s>[A-Za-z0-9._~+/-]{8,}=*)"
            )
        },
        rule!(
            "aws_access_key_id",
            [
                "akia", "asia", "abia", "acca", "agpa", "aida", "aipa", "anpa", "anva", "aroa",
                "apka", "asca"
            ],
            r"\b(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|AROA|APKA|ASCA)[A-Z0-9]{16}\b"
        ),
        rule!(
            "aws_secret_access_key",
            ["aws"],
            r"(?i:aws[A-Za-z0-9_.-]{0,20}secret[A-Za-z0-9_.-]{0,20})['\x22]?\s*[:=]\s*['\x22]?(?P<s>[A-Za-z0-9/+]{40})\b"
        ),
        rule!(
            "github_token",
            ["ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"],
            r"\b(?:gh[pousr]_[A-Za-z0-9]{20,255}|github_pat_[A-Za-z0-9_]{20,255})\b"
        ),
        rule!("gitlab_token", ["glpat-"], r"\bglpat-[A-Za-z0-9_-]{20,}"),
        rule!("slack_token", ["xox"], r"\bxox[abposre]-[A-Za-z0-9-]{10,}"),
        rule!(
            "stripe_key",
            ["_live_", "_test_"],
            r"\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,}\b"
        ),
        rule!("anthropic_key", ["sk-ant-"], r"\bsk-ant-[A-Za-z0-9_-]{20,}"),
        Rule {
            needs_digit: true,
            ..rule!(
                "openai_key",
                ["sk-"],
                r"\bsk-(?:proj-|svcacct-|admin-)?(?P<s>[A-Za-z0-9_-]{20,})"
            )
        },
        rule!("google_api_key", ["aiza"], r"\bAIza[0-9A-Za-z_-]{35}"),
        rule!("npm_token", ["npm_"], r"\bnpm_[A-Za-z0-9]{36,}\b"),
        rule!(
            "jwt",
            ["eyj"],
            r"\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}"
        ),
        Rule {
            references: true,
            ..rule!(
                "secret_flag",
                ["--pass", "--token", "--secret", "--api-key", "--apikey"],
                r"(?i:--(?:password|passwd|token|secret|api-key|apikey))[ =](?P<s>[^\s'\x22-][^\s'\x22]*)"
            )
        },
        rule!(
            "header_secret",
            ["x-", "api-key", "apikey"],
            r"(?i:\b(?:x-[a-z0-9-]*(?:key|token|secret|auth)[a-z0-9-]*|api-?key))['\x22]?\s*:\s*['\x22]?(?P<s>[^\s'\x22,;]{6,})"
        ),
    ]
});

static ASSIGNMENTS: LazyLock<[Rule; 2]> = LazyLock::new(|| {
    static BARE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(&format!(
            r"(?:^|[^A-Za-z0-9_.-]){NAME}\s*=\s*(?P<s>'[^'\n]*'|\x22[^\x22\n]*\x22|[^\s'\x22;,&|)]+)"
        ))
        .expect("a valid rule")
    });
    static JSON: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(&format!(r#""{NAME}"\s*:\s*"(?P<s>(?:[^"\\\n]|\\.)+)""#)).expect("a valid rule")
    });
    const TRIGGERS: &[&str] = &["pass", "secret", "token", "key"];
    [
        Rule {
            kind: "assignment",
            triggers: TRIGGERS,
            regex: &BARE,
            references: true,
            needs_digit: false,
        },
        Rule {
            kind: "assignment",
            triggers: TRIGGERS,
            regex: &JSON,
            references: false,
            needs_digit: false,
        },
    ]
});

/// The text with every secret replaced by `[REDACTED:<kind>]`; borrowed when nothing was
/// found.
pub fn redact(text: &str) -> Cow<'_, str> {
    let lower = text.to_ascii_lowercase();
    let mut out = Cow::Borrowed(text);
    for rule in RULES.iter().chain(ASSIGNMENTS.iter()) {
        if !rule.triggers.iter().any(|t| lower.contains(t)) {
            continue;
        }
        if let Cow::Owned(s) = apply(rule, &out) {
            out = Cow::Owned(s);
        }
    }
    out
}

fn apply<'t>(rule: &Rule, text: &'t str) -> Cow<'t, str> {
    rule.regex.replace_all(text, |c: &Captures<'_>| {
        let whole = c.get(0).expect("group 0 always matches");
        let Some(secret) = c.name("s") else {
            return format!("[REDACTED:{}]", rule.kind);
        };
        let value = secret.as_str();
        let keep = value.is_empty()
            // already redacted by a more specific rule
            || value.contains("[REDACTED:")
            || (rule.references && is_reference(value))
            || (rule.needs_digit && !value.bytes().any(|b| b.is_ascii_digit()));
        if keep {
            return whole.as_str().to_owned();
        }
        // `[q, .., q]` needs two bytes at least, so a lone quote is no quoted value.
        let (quote_l, quote_r) = match value.as_bytes() {
            [b'\'', .., b'\''] => ("'", "'"),
            [b'"', .., b'"'] => ("\"", "\""),
            _ => ("", ""),
        };
        let t = text;
        format!(
            "{}{quote_l}[REDACTED:{}]{quote_r}{}",
            &t[whole.start()..secret.start()],
            rule.kind,
            &t[secret.end()..whole.end()]
        )
    })
}

/// `$NAME`, `${NAME}` or `"$NAME"`: what a shell expands, not a value.
fn is_reference(value: &str) -> bool {
    let v = value.trim_matches('"');
    let Some(rest) = v.strip_prefix('$') else {
        return false;
    };
    let name = rest
        .strip_prefix('{')
        .and_then(|r| r.strip_suffix('}'))
        .unwrap_or(rest);
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed_and_unchanged() {
        let text = "error[E0425]: cannot find value `x` in this scope at src/main.rs:10:5";
        assert!(matches!(redact(text), Cow::Borrowed(_)));
    }

    #[test]
    fn only_the_secret_goes() {
        assert_eq!(
            redact("DB_PASSWORD=hunter2 make"),
            "DB_PASSWORD=[REDACTED:assignment] make"
        );
        assert_eq!(
            redact("git clone https://bob:s3cr3t@example.com/x.git"),
            "git clone https://bob:[REDACTED:url_password]@example.com/x.git"
        );
        assert_eq!(
            redact(r#"{"api_key": "abc123", "name": "x"}"#),
            r#"{"api_key": "[REDACTED:assignment]", "name": "x"}"#
        );
        assert_eq!(redact("max_tokens=4096"), "max_tokens=4096");
        assert_eq!(
            redact("PASSWORD=$DB_PASSWORD make"),
            "PASSWORD=$DB_PASSWORD make"
        );
    }

    #[test]
    fn regression_found_in_review() {
        for (text, secret) in [
            (
                "redis://:SuperSecretPw123@localhost:6379",
                "SuperSecretPw123",
            ),
            (r#"{"password": "$ecretDollar1"}"#, "$ecretDollar1"),
            ("postgres://user:p@ss@db:5432/x", "p@ss"),
            (
                "curl -H 'X-Api-Key: abcdef123456' https://x",
                "abcdef123456",
            ),
        ] {
            let out = redact(text);
            assert!(!out.contains(secret), "{secret} in {out}");
        }
        for plain in [
            "Bearer authentication required",
            "see sk-this-is-not-a-key-just-a-slug-name",
        ] {
            assert_eq!(redact(plain), plain);
        }
    }

    #[test]
    fn only_a_bare_shell_reference_counts_as_no_secret() {
        for kept in [
            "PASSWORD=$DB_PASSWORD make",
            "PASSWORD=${DB_PASSWORD} make",
            "PASSWORD=\"$DB_PASSWORD\" make",
            "API_KEY=$API_KEY_2 make",
        ] {
            assert_eq!(redact(kept), kept);
        }
        for (text, redacted) in [
            (
                "PASSWORD=$ecr3t! make",
                "PASSWORD=[REDACTED:assignment] make",
            ),
            (
                "PASSWORD=${ecr3t!} make",
                "PASSWORD=[REDACTED:assignment] make",
            ),
            ("PASSWORD=$ make", "PASSWORD=[REDACTED:assignment] make"),
            ("PASSWORD=${} make", "PASSWORD=[REDACTED:assignment] make"),
        ] {
            assert_eq!(redact(text), redacted, "{text}");
        }
    }

    #[test]
    fn quotes_around_a_secret_stay() {
        assert_eq!(
            redact("PASSWORD=\"hunter2\" make"),
            "PASSWORD=\"[REDACTED:assignment]\" make"
        );
        assert_eq!(
            redact("PASSWORD='hunter2' make"),
            "PASSWORD='[REDACTED:assignment]' make"
        );
    }

    #[test]
    fn a_token_is_named_by_its_own_kind() {
        assert_eq!(
            redact("GITHUB_TOKEN=ghp_abcdefghijklmnopqrstuvwxyz0123456789"),
            "GITHUB_TOKEN=[REDACTED:github_token]"
        );
    }
}
