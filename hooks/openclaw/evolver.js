// What the OpenClaw plugin (index.js) and the internal hook (hook/handler.js) share: finding
// evolver's hook binaries, running one with an envelope on stdin under a time limit, and the
// reminder file added at agent:bootstrap. Plain JavaScript, Node's standard library only.
//
// Nothing here throws: a missing binary, a hung one (killed at the limit) or output that is
// not what we expect gives `null`, and one line through `say`.

import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const ACTIVATOR = "evolver-activator";
export const DETECTOR = "evolver-error-detector";

/** The tools whose calls are shell commands. */
export const SHELL_TOOLS = ["exec"];

/**
 * How long a hook may take before it is stopped and its turn goes on without it: 3 s, or
 * $EVOLVER_OPENCLAW_LIMIT_MS. OpenClaw itself gives a prompt hook 15 s.
 */
export function limitMsOf(env = process.env) {
  const set = Number(env.EVOLVER_OPENCLAW_LIMIT_MS);
  // Node's timers take at most 2^31 - 1 ms; a larger value would fire at once.
  return Number.isFinite(set) && set > 0 ? Math.min(set, 600000) : 3000;
}

/** How much of a binary's stdout is read; the hooks print a few KiB at most. */
const MAX_OUTPUT = 256 * 1024;

/** The name of the file the bootstrap reminder is added as. */
export const REMINDER_NAME = "EVOLVER.md";

const HERE = dirname(fileURLToPath(import.meta.url));

/**
 * Where the binaries are: $EVOLVER_BIN_DIR, else the `binDir` that `evolver install openclaw`
 * wrote to bin.json beside this file, else the PATH.
 */
export function binary(name, env = process.env) {
  if (env.EVOLVER_BIN_DIR) return join(env.EVOLVER_BIN_DIR, name);
  try {
    const { binDir } = JSON.parse(readFileSync(join(HERE, "bin.json"), "utf8"));
    if (typeof binDir === "string" && binDir) return join(binDir, name);
  } catch {
    // No bin.json (a copy made by hand): the PATH decides.
  }
  return name;
}

/**
 * The envelope a binary reads on stdin (docs/hooks.md, "The OpenClaw envelope"): the field
 * names Claude Code uses, `agent: "openclaw"`, and only the fields that have a value.
 */
export function envelope(fields) {
  const out = { agent: "openclaw" };
  for (const [key, value] of Object.entries(fields)) {
    if (value !== undefined && value !== null && value !== "") out[key] = value;
  }
  return out;
}

/**
 * Runs `name` with `input` as JSON on stdin; resolves to its stdout, or `null` when it could
 * not run, ran past the time limit (it is killed), or exited other than 0.
 */
export function run(name, input, { say = () => {}, env = process.env } = {}) {
  const limitMs = limitMsOf(env);
  return new Promise((resolve) => {
    let settled = false;
    let timer;
    const done = (value, why) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (why) say(`${name}: ${why}`);
      resolve(value);
    };
    try {
      const child = spawn(binary(name, env), [], { stdio: ["pipe", "pipe", "ignore"], env });
      // Out of file descriptors, Node gives a child without pipes and an error event.
      child.on("error", (err) => done(null, `could not start (${err.code || err.message})`));
      if (!child.stdout || !child.stdin) {
        child.kill("SIGKILL");
        done(null, "could not start (no pipes)");
        return;
      }
      timer = setTimeout(() => {
        child.kill("SIGKILL");
        done(null, `stopped after ${limitMs} ms`);
      }, limitMs);
      const chunks = [];
      let size = 0;
      child.stdout.on("data", (chunk) => {
        size += chunk.length;
        if (size <= MAX_OUTPUT) chunks.push(chunk);
      });
      child.on("close", (code, signal) => {
        if (code !== 0) done(null, `exited with ${code ?? signal}`);
        else if (size > MAX_OUTPUT) done(null, `printed more than ${MAX_OUTPUT} bytes`);
        else done(Buffer.concat(chunks).toString("utf8"));
      });
      child.stdin.on("error", () => {});
      child.stdin.end(JSON.stringify(input));
    } catch (err) {
      done(null, `could not start (${err.code || err.message})`);
    }
  });
}

/** The detector's reply, `{"hookSpecificOutput":{…,"additionalContext":"…"}}`: its text. */
export function replyText(stdout, say = () => {}) {
  if (stdout === null || stdout.trim() === "") return null;
  try {
    const text = JSON.parse(stdout)?.hookSpecificOutput?.additionalContext;
    if (typeof text === "string" && text.trim()) return text.trim();
  } catch {
    // falls through to the line below
  }
  say(`${DETECTOR}: output was not its reply; ignored`);
  return null;
}

/** The activator's text, when it printed some that is plain text (its lines start `evolver:`). */
export function activatorText(stdout, say = () => {}) {
  if (stdout === null) return null;
  const text = stdout.trim();
  if (!text) return null;
  if (!text.startsWith("evolver:")) {
    say(`${ACTIVATOR}: output was not its block; ignored`);
    return null;
  }
  return text;
}

/**
 * The shell call as the detector reads it: the command, its exit code (OpenClaw's
 * `details.exitCode`), its output (`details.aggregated`, else the result's text) and where it
 * ran. `error` is set only when the tool itself failed (a refused host, a time limit), and says
 * why: a command that exited non-zero has its code and no error.
 */
export function toolCall({ toolName, toolCallId, params, result, error, cwd }) {
  const details = (result && typeof result === "object" && result.details) || {};
  const exitCode = Number.isInteger(details.exitCode) ? details.exitCode : null;
  let failure = null;
  if (exitCode === null) {
    const said = [error, details.error].find((e) => typeof e === "string" && e && e !== "failed");
    if (details.timedOut) failure = "timed out";
    else if (said) failure = said;
    else if (details.exitSignal) failure = `killed by ${details.exitSignal}`;
    else if (["error", "failed"].includes(details.status) || error) {
      failure = details.failureKind || details.exitReason || details.status || "failed";
    }
  }
  const aggregated = typeof details.aggregated === "string" ? details.aggregated : "";
  const output = aggregated.trim() ? aggregated : contentText(result);
  return {
    tool_name: toolName,
    tool_use_id: toolCallId,
    tool_input: { command: typeof params?.command === "string" ? params.command : undefined },
    tool_response: output,
    exit_code: exitCode,
    error: failure,
    cwd: details.cwd || cwd,
  };
}

function contentText(result) {
  const content = result && Array.isArray(result.content) ? result.content : [];
  return content
    .filter((part) => part && part.type === "text" && typeof part.text === "string")
    .map((part) => part.text)
    .join("\n");
}

/**
 * agent:bootstrap: adds the activator's reminder and status as one more bootstrap file, once,
 * and never for a sub-agent's session (OpenClaw drops files added there).
 */
export async function bootstrap(event, { say = () => {}, env = process.env } = {}) {
  if (!event || event.type !== "agent" || event.action !== "bootstrap") return;
  const ctx = event.context;
  if (!ctx || !Array.isArray(ctx.bootstrapFiles)) return;
  const sessionKey = event.sessionKey || ctx.sessionKey || "";
  if (sessionKey.includes(":subagent:")) return;
  const present = () => ctx.bootstrapFiles.some((file) => file && file.name === REMINDER_NAME);
  if (present()) return;
  const input = envelope({
    hook_event_name: "agent:bootstrap",
    cwd: ctx.workspaceDir,
    session_id: ctx.sessionId,
    session_key: sessionKey,
  });
  const text = activatorText(await run(ACTIVATOR, input, { say, env }), say);
  if (!text || present()) return;
  ctx.bootstrapFiles.push({
    name: REMINDER_NAME,
    path: join(ctx.workspaceDir || ".", ".learnings", REMINDER_NAME),
    content: text,
    missing: false,
  });
}
