//! Redaction (SPEC 5.3) over a corpus of fake secrets of every kind, and over ordinary error
//! text that must stay exactly as it was.

use evolver::redact::redact;

use crate::harness::{DETECTOR, Project, fixture};

/// (kind, text, secret) rows of `secrets.tsv`.
fn secrets() -> Vec<(String, String, String)> {
    let text = std::fs::read_to_string(fixture("redaction/secrets.tsv")).unwrap();
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| {
            let cols: Vec<String> = l.split('\t').map(|c| c.replace("\\n", "\n")).collect();
            assert_eq!(cols.len(), 3, "{l}");
            (cols[0].clone(), cols[1].clone(), cols[2].clone())
        })
        .collect()
}

fn ordinary() -> Vec<String> {
    let text = std::fs::read_to_string(fixture("redaction/ordinary.txt")).unwrap();
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .map(str::to_owned)
        .collect()
}

#[test]
fn every_kind_of_secret_is_replaced_by_its_kind() {
    let rows = secrets();
    let kinds: std::collections::BTreeSet<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    assert!(kinds.len() >= 16, "{kinds:?}");
    for (kind, text, secret) in &rows {
        let out = redact(text);
        assert!(
            !out.contains(secret.as_str()),
            "{kind}: {secret} survived in {out}"
        );
        assert!(out.contains(&format!("[REDACTED:{kind}]")), "{kind}: {out}");
    }
}

#[test]
fn the_text_around_a_secret_stays_readable() {
    assert_eq!(
        redact("fatal: could not read from https://deploy:Fak3Pa55word@git.example.com/repo.git"),
        "fatal: could not read from https://deploy:[REDACTED:url_password]@git.example.com/repo.git"
    );
    assert_eq!(
        redact("curl -H 'Authorization: Bearer fakeBearerToken123456' https://api.example.com"),
        "curl -H 'Authorization: Bearer [REDACTED:authorization]' https://api.example.com"
    );
    assert_eq!(
        redact("MYSQL_PASSWD='fake pass word' mysql"),
        "MYSQL_PASSWD='[REDACTED:assignment]' mysql"
    );
}

#[test]
fn ordinary_error_text_is_not_touched() {
    let lines = ordinary();
    assert!(lines.len() >= 20);
    for line in &lines {
        assert_eq!(redact(line), line.as_str());
    }
    let all = lines.join("\n");
    assert_eq!(redact(&all), all);
}

#[test]
fn no_secret_survives_the_detector_in_a_command_or_its_output() {
    let p = Project::init();
    let rows = secrets();
    let output: Vec<&str> = rows.iter().map(|r| r.1.as_str()).collect();
    let command: Vec<&str> = rows
        .iter()
        .map(|r| r.1.as_str())
        .filter(|t| !t.contains('\n'))
        .collect();
    let input = p.failure(
        &format!("deploy {}", command.join(" ; ")),
        &format!("Exit code 1\n{}", output.join("\n")),
    );
    let out = p.hook(DETECTOR, &input);
    assert!(out.status.success() && !out.stdout.is_empty());
    let stdout = String::from_utf8(out.stdout).unwrap();
    let log = p.read(".learnings/ERRORS.md");
    for (kind, _, secret) in &rows {
        assert!(
            !log.contains(secret.as_str()),
            "{kind}: {secret} in ERRORS.md"
        );
        assert!(
            !stdout.contains(secret.as_str()),
            "{kind}: {secret} on stdout"
        );
    }
    assert!(log.contains("[REDACTED:github_token]"));
}

#[test]
fn a_token_run_as_a_command_does_not_name_the_entry() {
    let p = Project::init();
    let token = "ghp_FAKEfakeFAKEfakeFAKEfakeFAKEfake1234";
    let input = p.failure(
        &format!("{token} --help"),
        &format!("Exit code 127\n/bin/bash: {token}: command not found"),
    );
    let out = p.hook(DETECTOR, &input);
    assert!(!String::from_utf8_lossy(&out.stdout).contains(token));
    let log = p.read(".learnings/ERRORS.md");
    assert!(
        !log.contains(token) && !log.contains(&token.to_lowercase()),
        "{log}"
    );
}
