//! Hook payloads: what Claude Code, Codex and our OpenClaw plugin send on a hook's stdin.
//!
//! The three agents use nearly the same field names (SPEC 5), so one lenient reading serves
//! them all: every field is optional, unknown fields are ignored, and the agent is told apart
//! by what only it sends (Codex: `turn_id`, or a `tool_response` that is a bare string;
//! OpenClaw: `agent: "openclaw"`).

use std::io::Read;

use serde_json::Value;

/// Payloads larger than this are not read further; the rest of stdin is drained.
pub const MAX_STDIN: usize = 16 * 1024 * 1024;

/// Which agent sent the payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Agent {
    ClaudeCode,
    Codex,
    OpenClaw,
}

impl Agent {
    pub fn name(self) -> &'static str {
        match self {
            Agent::ClaudeCode => "claude-code",
            Agent::Codex => "codex",
            Agent::OpenClaw => "openclaw",
        }
    }
}

/// A hook payload, read leniently.
#[derive(Debug, Clone)]
pub struct Payload {
    pub agent: Agent,
    pub event: String,
    pub session_id: Option<String>,
    pub transcript_path: Option<String>,
    pub cwd: Option<String>,
    pub prompt: Option<String>,
    pub tool_name: Option<String>,
    /// `tool_input.command`, for shell tools.
    pub command: Option<String>,
    /// `tool_input.skill`, for Claude Code's `Skill` tool.
    pub skill: Option<String>,
    /// `tool_response`: an object (Claude Code), a string (Codex) or anything else.
    pub tool_response: Value,
    pub tool_use_id: Option<String>,
    /// `error` of Claude Code's `PostToolUseFailure` (or of an OpenClaw envelope).
    pub error: Option<String>,
    pub is_interrupt: bool,
    /// `exit_code` given directly (OpenClaw envelope, or a result object carrying one).
    pub exit_code: Option<i64>,
}

impl Payload {
    /// Reads a payload from JSON text; `None` when it is not a JSON object.
    pub fn parse(bytes: &[u8]) -> Option<Payload> {
        let value: Value = serde_json::from_slice(bytes).ok()?;
        let Value::Object(mut map) = value else {
            return None;
        };
        let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_owned);
        let tool_response = map.remove("tool_response").unwrap_or(Value::Null);
        let agent = if map.get("agent").and_then(Value::as_str) == Some("openclaw") {
            Agent::OpenClaw
        } else if map.contains_key("turn_id") || tool_response.is_string() {
            Agent::Codex
        } else {
            Agent::ClaudeCode
        };
        let tool_input = map.get("tool_input");
        let command = tool_input
            .and_then(|i| i.get("command"))
            .and_then(|c| match c {
                Value::String(s) => Some(s.clone()),
                // Some agents send argv as an array.
                Value::Array(parts) => Some(
                    parts
                        .iter()
                        .filter_map(Value::as_str)
                        .collect::<Vec<_>>()
                        .join(" "),
                ),
                _ => None,
            });
        let skill = tool_input
            .and_then(|i| i.get("skill"))
            .and_then(Value::as_str)
            .map(str::to_owned);
        let exit_code = map
            .get("exit_code")
            .or_else(|| tool_response.get("exit_code"))
            .or_else(|| tool_response.get("exitCode"))
            .and_then(Value::as_i64);
        Some(Payload {
            agent,
            event: text(map.get("hook_event_name")).unwrap_or_default(),
            session_id: text(map.get("session_id")),
            transcript_path: text(map.get("transcript_path")),
            cwd: text(map.get("cwd")),
            prompt: text(map.get("prompt")),
            tool_name: text(map.get("tool_name")),
            command,
            skill,
            tool_use_id: text(map.get("tool_use_id")),
            error: text(map.get("error")),
            is_interrupt: map
                .get("is_interrupt")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            exit_code,
            tool_response,
        })
    }

    /// The tool's output as text: Codex's bare string, or Claude Code's stdout and stderr.
    pub fn output(&self) -> String {
        match &self.tool_response {
            Value::String(s) => s.clone(),
            Value::Object(o) => {
                let part = |k: &str| o.get(k).and_then(Value::as_str).unwrap_or("");
                let (out, err) = (part("stdout"), part("stderr"));
                match (out.is_empty(), err.is_empty()) {
                    (_, true) => out.to_owned(),
                    (true, false) => err.to_owned(),
                    (false, false) => format!("{out}\n{err}"),
                }
            }
            _ => String::new(),
        }
    }
}

/// Reads stdin up to [`MAX_STDIN`] bytes and drains the rest, so the agent never blocks on a
/// full pipe. `None` when the input was over the limit: a cut payload cannot be understood.
pub fn read_capped(input: &mut dyn Read) -> Option<Vec<u8>> {
    let mut bytes = Vec::with_capacity(16 * 1024);
    let read = input
        .take(MAX_STDIN as u64 + 1)
        .read_to_end(&mut bytes)
        .ok()?;
    if read > MAX_STDIN {
        let _ = std::io::copy(input, &mut std::io::sink());
        return None;
    }
    Some(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tells_the_agents_apart() {
        let claude = br#"{"hook_event_name":"PostToolUse","tool_response":{"stdout":"a"}}"#;
        let codex = br#"{"hook_event_name":"PostToolUse","tool_response":"a"}"#;
        let openclaw = br#"{"agent":"openclaw","hook_event_name":"after_tool_call"}"#;
        assert_eq!(Payload::parse(claude).unwrap().agent, Agent::ClaudeCode);
        assert_eq!(Payload::parse(codex).unwrap().agent, Agent::Codex);
        assert_eq!(Payload::parse(openclaw).unwrap().agent, Agent::OpenClaw);
        assert!(Payload::parse(b"[1,2]").is_none());
        assert!(Payload::parse(b"").is_none());
    }

    #[test]
    fn input_over_the_cap_is_drained_and_refused() {
        let big = vec![b' '; MAX_STDIN + 10];
        let mut reader: &[u8] = &big;
        assert!(read_capped(&mut reader).is_none());
        assert!(reader.is_empty());
        let mut small: &[u8] = b"{}";
        assert_eq!(read_capped(&mut small).unwrap(), b"{}");
    }
}
