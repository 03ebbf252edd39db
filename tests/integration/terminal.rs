//! Colour and control characters: what reaches a terminal. An entry's text is anyone's; its
//! escape sequences must be shown, never acted on, and only our own colours get through.

use std::path::Path;
use std::process::{Command, Stdio};

use crate::harness::{EVOLVER, Project};

/// A learning tagged `skill` (so `review` lists it) whose summary and details hold a screen
/// clear, a bell, a title-setting OSC, CSI as a C1 control, DEL and a lone CR; and a promotion
/// block in CLAUDE.md whose ID holds an escape, which `doctor` names.
fn hostile() -> (Project, String) {
    let p = Project::init();
    let id = p.ok(&[
        "log",
        "learning",
        "--priority",
        "high",
        "--tags",
        "skill",
        "--summary",
        "Clear \x1b[2J the screen \x07 \x1b]0;owned\x07 \u{9b}6n \x7f LONE-CR end",
        "--details",
        "More \x1b[31mred\x1b[0m and \u{85} here",
    ]);
    let log = p.read(".learnings/LEARNINGS.md");
    assert!(log.contains("\x1b[2J"), "the log keeps what was written");
    p.write(".learnings/LEARNINGS.md", log.replace("LONE-CR", "\r"));
    p.write("CLAUDE.md", "<!-- evolver:X\x1b[2JY -->\n");
    (p, id.trim().to_owned())
}

/// `text` without our own SGR sequences.
fn without_sgr(text: &str) -> String {
    regex::Regex::new(r"\x1b\[[0-9;]*m")
        .unwrap()
        .replace_all(text, "")
        .into_owned()
}

fn has_sgr(text: &str) -> bool {
    regex::Regex::new(r"\x1b\[[0-9;]*m").unwrap().is_match(text)
}

/// No control character a terminal would act on is left once our SGR codes are gone: only
/// newlines, tabs and the CR of a CRLF.
fn assert_inert(what: &str, text: &str) {
    let plain = without_sgr(text);
    for (i, c) in plain.char_indices() {
        let ok = match c {
            '\n' | '\t' => true,
            '\r' => plain[i + 1..].starts_with('\n'),
            c => !c.is_control(),
        };
        assert!(ok, "{what}: raw {c:?} at {i} in {plain:?}");
    }
}

/// `evolver ARGS` with stdout a pipe, `bytes` as they come.
fn piped(p: &Project, args: &[&str]) -> Vec<u8> {
    let out = p.command(args).env_remove("NO_COLOR").output().unwrap();
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[test]
fn color_always_escapes_every_control_from_the_logs() {
    let (p, id) = hostile();
    let list = String::from_utf8(piped(&p, &["--color", "always", "list"])).unwrap();
    assert!(has_sgr(&list), "colour is forced: {list:?}");
    assert!(list.contains(&format!("\x1b[1m{id}\x1b[0m")), "{list:?}");
    assert!(
        list.contains("Clear \\x1b[2J the screen \\x07 \\x1b]0;owned\\x07 \\x9b6n \\x7f \\x0d end"),
        "{list:?}"
    );
    assert_inert("list", &list);

    for args in [
        vec!["show", id.as_str(), "--color", "always"],
        vec!["list", "--json", "--color", "always"],
        vec!["status", "--color", "always"],
        vec!["review", "--color", "always"],
        vec!["doctor", "--color", "always"],
        vec!["search", "clear the screen", "--color", "always"],
    ] {
        let out = String::from_utf8(piped(&p, &args)).unwrap();
        assert_inert(&args.join(" "), &out);
    }
    let show = String::from_utf8(piped(&p, &["--color", "always", "show", &id])).unwrap();
    assert!(
        show.contains("More \\x1b[31mred\\x1b[0m and \\x85 here"),
        "{show}"
    );
    let review = String::from_utf8(piped(&p, &["--color", "always", "review"])).unwrap();
    assert!(review.contains("Clear \\x1b[2J"), "{review}");
    let doctor = String::from_utf8(piped(&p, &["--color", "always", "doctor"])).unwrap();
    assert!(
        doctor.contains("holds a block for X\\x1b[2JY"),
        "{doctor:?}"
    );
    assert!(has_sgr(&doctor));
}

#[test]
fn piped_output_is_the_bytes_as_they_are() {
    let (p, id) = hostile();
    let file = std::fs::read(p.path(".learnings/LEARNINGS.md")).unwrap();
    for color in [None, Some("never"), Some("auto")] {
        let mut args = vec!["show", id.as_str()];
        args.extend(color.iter().flat_map(|c| ["--color", c]));
        let shown = piped(&p, &args);
        assert!(file.ends_with(&shown), "{args:?}: show is exact");
        assert!(shown.windows(4).any(|w| w == b"\x1b[2J"));
        for cmd in ["list", "status", "review", "doctor"] {
            let mut args = vec![cmd];
            args.extend(color.iter().flat_map(|c| ["--color", c]));
            let out = String::from_utf8(piped(&p, &args)).unwrap();
            assert!(!has_sgr(&out), "{args:?} painted: {out:?}");
        }
    }
}

#[test]
fn crlf_logs_keep_their_line_ends_on_a_terminal() {
    let p = Project::init();
    let text = "# Learnings\r\n\r\n## [LRN-20260101-001] insight\r\n\r\n**Status**: pending\r\n\r\n### Summary\r\nWindows \x1b[2J file\r\n\r\n---\r\n";
    p.write(".learnings/LEARNINGS.md", text);
    let shown = String::from_utf8(piped(
        &p,
        &["show", "LRN-20260101-001", "--color", "always"],
    ))
    .unwrap();
    assert_eq!(
        shown,
        text["# Learnings\r\n\r\n".len()..].replace('\x1b', "\\x1b")
    );
}

#[test]
fn errors_on_stderr_are_escaped_under_color_always() {
    let p = Project::init();
    let out = p
        .command(&["--color", "always", "show", "LRN-\x1b[2J"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("LRN-\\x1b[2J"), "{err:?}");
    assert_inert("stderr", &err);
}

const SCRIPT: &str = "/usr/bin/script";

/// `evolver ARGS` with stdout a pseudo-terminal, through util-linux `script`; returns what
/// the terminal received (the pty turns each `\n` into `\r\n`).
fn in_pty(p: &Project, args: &str, env: &[(&str, &str)]) -> String {
    assert!(
        Path::new(SCRIPT).exists(),
        "this test runs evolver under a pseudo-terminal with util-linux `script` at {SCRIPT}; \
         install util-linux (Debian and Ubuntu: bsdutils)"
    );
    let out = Command::new(SCRIPT)
        .args(["-qec", &format!("'{EVOLVER}' {args}"), "/dev/null"])
        .current_dir(p.root())
        .env_remove("EVOLVER_ROOT")
        .env_remove("CLAUDE_PROJECT_DIR")
        .env_remove("NO_COLOR")
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .output()
        .expect("run script");
    assert!(
        out.status.success(),
        "script {args}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn a_real_terminal_is_found_coloured_and_kept_safe() {
    let (p, id) = hostile();
    let list = in_pty(&p, "list", &[]);
    assert!(has_sgr(&list), "auto colours a terminal: {list:?}");
    assert!(list.contains("Clear \\x1b[2J"), "{list:?}");
    assert_inert("list on a pty", &list);
    let show = in_pty(&p, &format!("show {id}"), &[]);
    assert!(!has_sgr(&show), "show is not painted");
    assert!(show.contains("More \\x1b[31mred"), "{show:?}");
    assert_inert("show on a pty", &show);

    // NO_COLOR turns the colour off, never the escaping; so does --color never.
    for (args, env) in [
        ("list", &[("NO_COLOR", "1")][..]),
        ("list --color never", &[][..]),
    ] {
        let list = in_pty(&p, args, env);
        assert!(!has_sgr(&list), "{args} {env:?}: {list:?}");
        assert!(list.contains("Clear \\x1b[2J"), "{list:?}");
        assert_inert(args, &list);
    }
    // An empty NO_COLOR is unset.
    assert!(has_sgr(&in_pty(&p, "status", &[("NO_COLOR", "")])));
}
