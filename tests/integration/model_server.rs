//! A scripted model server on 127.0.0.1 for the end-to-end tests: it speaks just enough of
//! the Anthropic Messages API (Claude Code) and the OpenAI Responses API (Codex, OpenClaw), streamed as
//! server-sent events, to make a real client run a fixed list of shell commands (or, for
//! Claude Code, call the `Skill` tool: a step `skill:NAME`) and then stop. Every request body is kept, so a test can see what reached the model.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;

use serde_json::{Value, json};

pub struct ModelServer {
    pub port: u16,
    requests: Arc<Mutex<Vec<Value>>>,
}

impl ModelServer {
    /// Starts the server; it asks the client to run `script`, one command a turn. The
    /// listening thread ends with the test process.
    pub fn start(script: &[&str]) -> ModelServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let port = listener.local_addr().unwrap().port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let script: Arc<Vec<String>> = Arc::new(script.iter().map(|s| (*s).to_owned()).collect());
        let kept = Arc::clone(&requests);
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (script, kept) = (Arc::clone(&script), Arc::clone(&kept));
                thread::spawn(move || {
                    let _ = serve(stream, &script, &kept);
                });
            }
        });
        ModelServer { port, requests }
    }

    /// The bodies of the model requests so far, in order.
    pub fn requests(&self) -> Vec<Value> {
        self.requests.lock().unwrap().clone()
    }
}

struct Request {
    method: String,
    path: String,
    close: bool,
    body: Vec<u8>,
}

fn read_request(r: &mut BufReader<TcpStream>) -> std::io::Result<Option<Request>> {
    let mut line = String::new();
    if r.read_line(&mut line)? == 0 {
        return Ok(None);
    }
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or("").to_owned();
    let path = parts
        .next()
        .unwrap_or("")
        .split('?')
        .next()
        .unwrap_or("")
        .to_owned();
    let (mut length, mut chunked, mut close) = (0, false, false);
    loop {
        let mut h = String::new();
        if r.read_line(&mut h)? == 0 {
            return Ok(None);
        }
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            let (k, v) = (k.trim().to_ascii_lowercase(), v.trim().to_ascii_lowercase());
            match k.as_str() {
                "content-length" => length = v.parse().unwrap_or(0),
                "transfer-encoding" => chunked = v.contains("chunked"),
                "connection" => close = v == "close",
                _ => {}
            }
        }
    }
    let mut body = Vec::new();
    if chunked {
        loop {
            let mut size = String::new();
            r.read_line(&mut size)?;
            let n = usize::from_str_radix(size.trim().split(';').next().unwrap_or("0"), 16)
                .unwrap_or(0);
            if n == 0 {
                let mut trailer = String::new();
                while r.read_line(&mut trailer)? > 0 && !trailer.trim().is_empty() {
                    trailer.clear();
                }
                break;
            }
            let mut chunk = vec![0; n + 2];
            r.read_exact(&mut chunk)?;
            body.extend_from_slice(&chunk[..n]);
        }
    } else {
        body.resize(length, 0);
        r.read_exact(&mut body)?;
    }
    Ok(Some(Request {
        method,
        path,
        close,
        body,
    }))
}

fn serve(stream: TcpStream, script: &[String], kept: &Mutex<Vec<Value>>) -> std::io::Result<()> {
    let mut out = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    while let Some(req) = read_request(&mut reader)? {
        let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
        let (kind, text) = match (req.method.as_str(), req.path.as_str()) {
            ("POST", "/v1/messages") => {
                kept.lock().unwrap().push(body.clone());
                anthropic(&body, script)
            }
            ("POST", "/v1/responses") => {
                kept.lock().unwrap().push(body.clone());
                ("text/event-stream", openai(&body, script))
            }
            ("POST", "/v1/messages/count_tokens") => {
                ("application/json", json!({"input_tokens": 10}).to_string())
            }
            ("GET", "/v1/models") => (
                "application/json",
                json!({"object": "list", "data": []}).to_string(),
            ),
            _ => ("text/plain", String::new()),
        };
        let text = if req.method == "HEAD" {
            String::new()
        } else {
            text
        };
        write!(
            out,
            "HTTP/1.1 200 OK\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: {}\r\n\r\n{text}",
            text.len(),
            if req.close { "close" } else { "keep-alive" }
        )?;
        out.flush()?;
        if req.close {
            break;
        }
    }
    Ok(())
}

/// Server-sent events; both clients want the `event:` line too.
fn sse(events: &[Value]) -> String {
    events
        .iter()
        .map(|e| format!("event: {}\ndata: {e}\n\n", e["type"].as_str().unwrap_or("")))
        .collect()
}

/// The next step: how many tool results the conversation holds so far.
fn anthropic(body: &Value, script: &[String]) -> (&'static str, String) {
    let main = body["tools"]
        .as_array()
        .is_some_and(|t| t.iter().any(|t| t["name"] == "Bash"));
    let done = body["messages"].as_array().map_or(0, |messages| {
        messages
            .iter()
            .filter_map(|m| m["content"].as_array())
            .flatten()
            .filter(|b| b["type"] == "tool_result")
            .count()
    });
    let model = body["model"].as_str().unwrap_or("claude");
    let (block, delta, stop) = if main && done < script.len() {
        // `skill:NAME` calls the Skill tool; anything else is a shell command.
        let (tool, input) = match script[done].strip_prefix("skill:") {
            Some(name) => ("Skill", json!({"skill": name})),
            None => (
                "Bash",
                json!({"command": script[done], "description": "step"}),
            ),
        };
        (
            json!({"type": "tool_use", "id": format!("toolu_{done:04}"), "name": tool, "input": {}}),
            json!({"type": "input_json_delta", "partial_json": input.to_string()}),
            "tool_use",
        )
    } else {
        (
            json!({"type": "text", "text": ""}),
            json!({"type": "text_delta", "text": if main { "done" } else { "ok" }}),
            "end_turn",
        )
    };
    let usage = json!({"input_tokens": 10, "output_tokens": 1});
    if body["stream"] != true {
        let mut content = block;
        if content["type"] == "text" {
            content["text"] = delta["text"].clone();
        } else {
            content["input"] =
                serde_json::from_str(delta["partial_json"].as_str().unwrap()).unwrap();
        }
        let message = json!({"id": "msg_1", "type": "message", "role": "assistant", "model": model,
            "content": [content], "stop_reason": stop, "stop_sequence": null, "usage": usage});
        return ("application/json", message.to_string());
    }
    let events = sse(&[
        json!({"type": "message_start", "message": {"id": "msg_1", "type": "message",
            "role": "assistant", "model": model, "content": [], "stop_reason": null,
            "stop_sequence": null, "usage": usage}}),
        json!({"type": "content_block_start", "index": 0, "content_block": block}),
        json!({"type": "content_block_delta", "index": 0, "delta": delta}),
        json!({"type": "content_block_stop", "index": 0}),
        json!({"type": "message_delta", "delta": {"stop_reason": stop, "stop_sequence": null},
            "usage": {"output_tokens": 5}}),
        json!({"type": "message_stop"}),
    ]);
    ("text/event-stream", events)
}

/// The next step: how many function call outputs the input holds so far (for OpenClaw, whose
/// session carries earlier turns, since the turn's own prompt).
fn openai(body: &Value, script: &[String]) -> String {
    let input = body["input"].as_array().cloned().unwrap_or_default();
    let tools: Vec<&str> = body["tools"].as_array().map_or(Vec::new(), |t| {
        t.iter().filter_map(|t| t["name"].as_str()).collect()
    });
    let openclaw = tools.contains(&"exec");
    let turn = if openclaw {
        let prompt = input.iter().rposition(|i| {
            i["role"] == "user" && !i.to_string().contains("OPENCLAW_INTERNAL_CONTEXT")
        });
        prompt.map_or(0, |at| at + 1)
    } else {
        0
    };
    let done = input[turn..]
        .iter()
        .filter(|i| i["type"] == "function_call_output")
        .count();
    let item = if done < script.len() && !tools.is_empty() {
        let (name, args) = if openclaw {
            ("exec", json!({"command": script[done]}))
        } else if tools.contains(&"exec_command") {
            ("exec_command", json!({"cmd": script[done]}))
        } else {
            ("shell", json!({"command": ["bash", "-lc", script[done]]}))
        };
        json!({"type": "function_call", "id": format!("fc_{done}"), "call_id": format!("call_{done}"),
            "name": name, "arguments": args.to_string(), "status": "completed"})
    } else {
        json!({"type": "message", "id": "msg_1", "role": "assistant", "status": "completed",
            "content": [{"type": "output_text", "text": "done", "annotations": []}]})
    };
    let id = format!("resp_{done}");
    sse(&[
        json!({"type": "response.created", "response": {"id": id}}),
        json!({"type": "response.output_item.added", "output_index": 0, "item": item}),
        json!({"type": "response.output_item.done", "output_index": 0, "item": item}),
        json!({"type": "response.completed", "response": {"id": id, "usage": {
            "input_tokens": 10, "input_tokens_details": {"cached_tokens": 0},
            "output_tokens": 5, "output_tokens_details": {"reasoning_tokens": 0},
            "total_tokens": 15}}}),
    ])
}
