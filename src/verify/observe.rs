//! Observations (SPEC 6.1): running a spec in the project root, in its own process group and
//! within its time limit, or taking the observations from a result file, and saying why any
//! could not be made.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Map, Value};

use crate::verify::spec::Spec;

/// Where the observations come from.
pub enum Source<'a> {
    /// Run the spec (and, for an ERR entry without `run`, its command) in the project root.
    Run {
        root: &'a Path,
        /// The failing command of an ERR entry, for `no_longer_fails`.
        command: Option<&'a str>,
    },
    /// Take them from a JSON object produced elsewhere.
    Given(&'a Map<String, Value>),
}

/// What was observed, and why some could not be.
#[derive(Debug, Clone, Default)]
pub struct Observed {
    pub values: Map<String, Value>,
    /// One line for each expected observation that could not be made.
    pub unmade: Vec<String>,
}

/// Makes every observation the spec expects.
pub fn observe(spec: &Spec, source: &Source<'_>) -> Observed {
    let mut o = Observed::default();
    match source {
        Source::Given(map) => {
            for name in spec.expected.keys() {
                match map.get(name) {
                    Some(v) => {
                        o.values.insert(name.clone(), v.clone());
                    }
                    None => o.unmade.push(format!("{name}: not in the result")),
                }
            }
        }
        Source::Run { root, command } => observe_run(spec, root, *command, &mut o),
    }
    o
}

pub(crate) struct Ran {
    pub code: Option<i64>,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub why: Option<String>,
}

fn observe_run(spec: &Spec, root: &Path, command: Option<&str>, o: &mut Observed) {
    let needs_run = spec.expected.keys().any(|k| {
        matches!(
            k.as_str(),
            "exit_code" | "stdout_contains" | "stderr_contains"
        ) || (k == "valid_json" || k == "matches_schema") && spec.file.is_none()
    });
    let ran = match (&spec.run, needs_run) {
        (Some(run), true) => Some(run_shell(run, root, spec.timeout)),
        _ => None,
    };
    let file = spec.file.as_ref().map(|f| root.join(f));
    for (name, expected) in &spec.expected {
        let value: Result<Value, String> = match name.as_str() {
            "exit_code" => made(&ran, spec).and_then(|r| {
                r.code
                    .map(Value::from)
                    .ok_or_else(|| r.why.clone().unwrap_or_else(|| "no exit code".into()))
            }),
            "stdout_contains" | "stderr_contains" => made(&ran, spec).and_then(|r| {
                let out = if name == "stdout_contains" {
                    &r.stdout
                } else {
                    &r.stderr
                };
                let want = expected
                    .as_str()
                    .ok_or_else(|| format!("{name}: the expected value must be a string"))?;
                let found = String::from_utf8_lossy(out).contains(want);
                Ok(if found {
                    Value::from(want)
                } else {
                    Value::Bool(false)
                })
            }),
            "valid_json" => json_input(&ran, spec, file.as_deref())
                .map(|bytes| Value::Bool(serde_json::from_slice::<Value>(&bytes).is_ok())),
            "matches_schema" => json_input(&ran, spec, file.as_deref())
                .and_then(|bytes| matches_schema(&bytes, spec.schema.as_deref(), root)),
            "file_exists" => file
                .as_ref()
                .map(|f| Value::Bool(f.exists()))
                .ok_or_else(|| "file_exists: the spec names no `file`".into()),
            "no_longer_fails" => match (&spec.run, command) {
                (None, Some(cmd)) => {
                    let r = run_shell(cmd, root, spec.timeout);
                    r.code
                        .map(|c| Value::Bool(c == 0))
                        .ok_or_else(|| r.why.unwrap_or_else(|| "no exit code".into()))
                }
                (Some(_), _) => made(&ran, spec).and_then(|r| {
                    r.code
                        .map(|c| Value::Bool(c == 0))
                        .ok_or_else(|| r.why.clone().unwrap_or_default())
                }),
                (None, None) => Err("no_longer_fails: no `run` and no command to re-run".into()),
            },
            other => Err(format!("unknown observation `{other}`")),
        };
        match value {
            Ok(v) => {
                o.values.insert(name.clone(), v);
            }
            Err(why) => o.unmade.push(if why.starts_with(name.as_str()) {
                why
            } else {
                format!("{name}: {why}")
            }),
        }
    }
}

fn made<'r>(ran: &'r Option<Ran>, spec: &Spec) -> Result<&'r Ran, String> {
    match ran {
        Some(r) => Ok(r),
        None if spec.run.is_none() => Err("the spec has no `run`".into()),
        None => Err("not run".into()),
    }
}

fn json_input(ran: &Option<Ran>, spec: &Spec, file: Option<&Path>) -> Result<Vec<u8>, String> {
    match (file, &spec.file) {
        (Some(f), Some(name)) => read_named(f, name),
        _ => made(ran, spec).map(|r| r.stdout.clone()),
    }
}

/// A file named in the spec; the reason, when it cannot be read, names it as the spec does
/// and says nothing of this machine, so that receipts agree across machines.
fn read_named(path: &Path, name: &str) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => format!("{name} does not exist"),
        _ => format!("{name} cannot be read"),
    })
}

fn matches_schema(json: &[u8], schema: Option<&str>, root: &Path) -> Result<Value, String> {
    let schema = schema.ok_or_else(|| "the spec names no `schema`".to_owned())?;
    let text = read_named(&root.join(schema), schema)?;
    let schema: Value =
        serde_json::from_slice(&text).map_err(|e| format!("{schema} is not JSON: {e}"))?;
    let validator =
        jsonschema::validator_for(&schema).map_err(|e| format!("not a JSON Schema: {e}"))?;
    Ok(Value::Bool(match serde_json::from_slice::<Value>(json) {
        Ok(instance) => validator.is_valid(&instance),
        Err(_) => false,
    }))
}

/// Runs `sh -c command` in `root`, killing it at the timeout.
fn run_shell(command: &str, root: &Path, timeout: Duration) -> Ran {
    run_with_input(command, root, timeout, None)
}

/// [`run_shell`] with `input` on the command's stdin: its exit code, stdout, and why there is
/// no code when there is none.
pub(crate) fn run_with_input(
    command: &str,
    root: &Path,
    timeout: Duration,
    input: Option<Vec<u8>>,
) -> Ran {
    use std::os::unix::process::CommandExt;
    // Its own process group, so that a timeout ends what the command started too.
    let child = Command::new("sh")
        .arg("-c")
        .arg(command)
        .process_group(0)
        .current_dir(root)
        .stdin(if input.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) => {
            return Ran {
                code: None,
                stdout: Vec::new(),
                stderr: Vec::new(),
                why: Some(format!("could not start sh: {e}")),
            };
        }
    };
    if let (Some(bytes), Some(mut pipe)) = (input, child.stdin.take()) {
        std::thread::spawn(move || {
            let _ = std::io::Write::write_all(&mut pipe, &bytes);
        });
    }
    // Read both pipes on threads so a chatty command cannot fill one and stall.
    let mut out_pipe = child.stdout.take().expect("piped");
    let mut err_pipe = child.stderr.take().expect("piped");
    let (out_tx, out_rx) = std::sync::mpsc::channel();
    let (err_tx, err_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = out_pipe.read_to_end(&mut b);
        let _ = out_tx.send(b);
    });
    std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = err_pipe.read_to_end(&mut b);
        let _ = err_tx.send(b);
    });
    let start = Instant::now();
    let (code, why) = loop {
        match child.try_wait() {
            Ok(Some(status)) => break (status.code().map(i64::from), None),
            Ok(None) if start.elapsed() < timeout => std::thread::sleep(Duration::from_millis(10)),
            Ok(None) => {
                kill_group(child.id());
                let _ = child.kill();
                let _ = child.wait();
                break (
                    None,
                    Some(format!("timed out after {} s", timeout.as_secs())),
                );
            }
            Err(e) => break (None, Some(e.to_string())),
        }
    };
    // What the command left running in the background goes too: it would hold the pipes
    // open, and the verdict is about the command, not its leftovers.
    kill_group(child.id());
    let grace = Duration::from_secs(1);
    Ran {
        code,
        stdout: out_rx.recv_timeout(grace).unwrap_or_default(),
        stderr: err_rx.recv_timeout(grace).unwrap_or_default(),
        why: why.or_else(|| code.is_none().then(|| "killed by a signal".to_owned())),
    }
}

/// Kills the process group `pgid` (the runner starts each command as a group leader).
fn kill_group(pgid: u32) {
    // `--` before the negative id: without it, kill reads it as an option.
    let _ = Command::new("kill")
        .args(["-s", "KILL", "--", &format!("-{pgid}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify::receipt::{Verdict, judge};

    fn spec(text: &str) -> Spec {
        Spec::parse(text).unwrap()
    }

    #[test]
    fn running_a_spec_observes_exit_code_output_and_files() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("out.json"), r#"{"n": 1}"#).unwrap();
        std::fs::write(
            dir.path().join("schema.json"),
            r#"{"type": "object", "required": ["n"]}"#,
        )
        .unwrap();
        let s = spec(
            r#"{"run": "echo 'test result: ok'; echo warn >&2", "file": "out.json", "schema": "schema.json",
                "expected": {"exit_code": 0, "stdout_contains": "result: ok", "stderr_contains": "nope",
                             "valid_json": true, "matches_schema": true, "file_exists": true, "magic": 1}}"#,
        );
        let o = observe(
            &s,
            &Source::Run {
                root: dir.path(),
                command: None,
            },
        );
        assert_eq!(o.values["exit_code"], 0);
        assert_eq!(o.values["stdout_contains"], "result: ok");
        assert_eq!(o.values["stderr_contains"], false);
        assert_eq!(o.values["matches_schema"], true);
        assert_eq!(o.unmade, ["magic: unknown observation `magic`"]);
        assert_eq!(judge(&s.expected, &o).0, Verdict::Fail);
        let slow = spec(r#"{"run": "sleep 5", "timeout_s": 1, "expected": {"exit_code": 0}}"#);
        let o = observe(
            &slow,
            &Source::Run {
                root: dir.path(),
                command: None,
            },
        );
        assert_eq!(judge(&slow.expected, &o).0, Verdict::Indeterminate);
        assert!(o.unmade[0].contains("timed out"), "{:?}", o.unmade);
    }
}
