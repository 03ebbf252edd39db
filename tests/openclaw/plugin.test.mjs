// The OpenClaw plugin and internal hook under Node, with a stand-in for OpenClaw's `api` fed the
// events captured from OpenClaw 2026.9.6 (tests/fixtures/payloads/openclaw-2026.9.6/).
//
// EVOLVER_TEST_BIN_DIR names the folder of the real built binaries (the Rust test that runs
// this file sets it). Stand-in binaries, written here as shell scripts, record their stdin,
// hang, or print garbage.

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const FIXTURES = path.join(ROOT, "tests/fixtures/payloads/openclaw-2026.9.6");
const REAL_BINS = process.env.EVOLVER_TEST_BIN_DIR;
const CAPTURED_WORKSPACE = "/home/dev/.openclaw/workspace";

const plugin = (await import(path.join(ROOT, "hooks/openclaw/index.js"))).default;
const hookHandler = (await import(path.join(ROOT, "hooks/openclaw/hook/handler.js"))).default;

let calls = 0;

/**
 * A captured event, with its workspace moved to `workspace` and a tool call id of its own (the
 * plugin remembers ids across loads, as OpenClaw's are unique).
 */
function captured(name, workspace = CAPTURED_WORKSPACE) {
  const text = fs.readFileSync(path.join(FIXTURES, name), "utf8");
  const fixture = JSON.parse(text.replaceAll(CAPTURED_WORKSPACE, workspace));
  if (fixture.event?.toolCallId) fixture.event.toolCallId += `-${++calls}`;
  return fixture;
}

/** `after` made the after_tool_call of the middleware's call (`event`, `ctx`): same run, same id. */
function sameCall(after, event, ctx) {
  after.event.toolCallId = event.toolCallId;
  after.event.runId = ctx.runId;
  after.ctx.runId = ctx.runId;
  return after;
}

/** OpenClaw's `api`, as much of it as the plugin uses: what it registers and what it logs. */
function standIn() {
  const api = {
    hooks: new Map(),
    internal: [],
    middleware: [],
    logged: [],
    logger: { warn: (line) => api.logged.push(line), info() {}, error() {} },
    on(name, fn) {
      api.hooks.set(name, fn);
    },
    registerHook(events, fn, opts) {
      api.internal.push({ events, fn, opts });
    },
    registerAgentToolResultMiddleware(fn, opts) {
      api.middleware.push({ fn, opts });
    },
  };
  plugin.register(api);
  return api;
}

function tempDir(prefix) {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** A git project with nothing logged yet. */
function project() {
  const dir = tempDir("evolver-oc-project-");
  fs.mkdirSync(path.join(dir, ".git"));
  return dir;
}

/** A folder of stand-in binaries, each a shell script with `body`. */
function standInBins(body) {
  const dir = tempDir("evolver-oc-bins-");
  for (const name of ["evolver-activator", "evolver-error-detector"]) {
    fs.writeFileSync(path.join(dir, name), `#!/bin/sh\n${body(name)}\n`, { mode: 0o755 });
  }
  return dir;
}

/** Runs `fn` with the plugin pointed at `bins` (and a short time limit). */
async function withBins(bins, fn, limit = "2000") {
  const saved = [process.env.EVOLVER_BIN_DIR, process.env.EVOLVER_OPENCLAW_LIMIT_MS];
  process.env.EVOLVER_BIN_DIR = bins;
  process.env.EVOLVER_OPENCLAW_LIMIT_MS = limit;
  try {
    return await fn();
  } finally {
    for (const [key, value] of [
      ["EVOLVER_BIN_DIR", saved[0]],
      ["EVOLVER_OPENCLAW_LIMIT_MS", saved[1]],
    ]) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

function errors(dir) {
  const file = path.join(dir, ".learnings/ERRORS.md");
  return fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
}

/** A recorder: each binary saves its stdin and prints what its real self would. */
function recorder() {
  const out = tempDir("evolver-oc-seen-");
  const bins = standInBins((name) =>
    name === "evolver-activator"
      ? `cat > '${out}/${name}.json'; echo 'evolver: recorded'`
      : `cat > '${out}/${name}.json'; echo '{"hookSpecificOutput":{"hookEventName":"after_tool_call","additionalContext":"Logged ERR-20261203-001 (recorded)"}}'`,
  );
  const seen = (name) => JSON.parse(fs.readFileSync(path.join(out, `${name}.json`), "utf8"));
  return { bins, seen };
}

test("the prompt hook sends the prompt, workspace and session, and prepends the reply", async () => {
  const { bins, seen } = recorder();
  const api = standIn();
  const { event, ctx } = captured("before_prompt_build.json", "/work/space");
  const result = await withBins(bins, () => api.hooks.get("before_prompt_build")(event, ctx));
  assert.deepEqual(result, { prependContext: "evolver: recorded" });
  const sent = seen("evolver-activator");
  assert.equal(sent.agent, "openclaw");
  assert.equal(sent.hook_event_name, "before_prompt_build");
  assert.equal(sent.prompt, event.prompt);
  assert.equal(sent.cwd, "/work/space");
  assert.equal(sent.session_id, ctx.sessionId);
  assert.equal(sent.session_key, "agent:main:main");
  assert.deepEqual(api.logged, []);
});

test("the real activator's reminder is prepended", { skip: !REAL_BINS }, async () => {
  const dir = project();
  const api = standIn();
  const { event, ctx } = captured("before_prompt_build.json", dir);
  const result = await withBins(REAL_BINS, () => api.hooks.get("before_prompt_build")(event, ctx));
  assert.match(result.prependContext, /^evolver: Log corrections, errors and feature requests/);
});

test("a shell result gets the detector's reply, and after_tool_call does not log it again", { skip: !REAL_BINS }, async () => {
  const dir = project();
  const api = standIn();
  assert.equal(api.middleware.length, 1);
  assert.deepEqual(api.middleware[0].opts, { runtimes: ["openclaw"], matcher: ["exec"] });
  const { event, ctx } = captured("tool_result_middleware.exec-exit2.json", dir);
  const out = await withBins(REAL_BINS, () => api.middleware[0].fn(event, ctx));
  const added = out.result.content.at(-1).text;
  assert.match(added, /\[evolver\] Logged ERR-\d{8}-\d{3}[A-Z0-9]* \(`ls \/definitely-missing-dir-xyz` exited with code 2\)/);
  assert.deepEqual(out.result.content.slice(0, -1), event.result.content);
  assert.deepEqual(out.result.details, event.result.details);
  assert.match(errors(dir), /exited with code 2/);
  // OpenClaw then fires after_tool_call for the same call.
  const after = sameCall(captured("after_tool_call.exec-exit2.json", dir), event, ctx);
  await withBins(REAL_BINS, () => api.hooks.get("after_tool_call")(after.event, after.ctx));
  assert.match(errors(dir), /Recurrence-Count: 1\n/);
});

test("a second load of the plugin knows what the first one's middleware logged", { skip: !REAL_BINS }, async () => {
  // OpenClaw loads a plugin more than once in a process, each time as a new module, and may
  // call the middleware of one load and the hooks of another.
  const second = (await import(`${path.join(ROOT, "hooks/openclaw/index.js")}?load=2`)).default;
  assert.notEqual(second, plugin);
  const dir = project();
  const first = standIn();
  const other = { ...standIn(), hooks: new Map() };
  other.on = (name, fn) => other.hooks.set(name, fn);
  second.register(other);
  const { event, ctx } = captured("tool_result_middleware.exec-exit2.json", dir);
  await withBins(REAL_BINS, () => first.middleware[0].fn(event, ctx));
  const after = sameCall(captured("after_tool_call.exec-exit2.json", dir), event, ctx);
  await withBins(REAL_BINS, () => other.hooks.get("after_tool_call")(after.event, after.ctx));
  assert.match(errors(dir), /Recurrence-Count: 1\n/);
  // Once after_tool_call has seen it, the id is forgotten: a later call with it is new.
  await withBins(REAL_BINS, () => other.hooks.get("after_tool_call")(after.event, after.ctx));
  assert.match(errors(dir), /Recurrence-Count: 2\n/);
});

test("the same call id in two runs is two calls", { skip: !REAL_BINS }, async () => {
  // Some providers number calls per turn (`call_0` every time); two sessions can run at once.
  const dir = project();
  const api = standIn();
  const a = captured("tool_result_middleware.exec-exit2.json", dir);
  const b = captured("tool_result_middleware.exec-exit2.json", dir);
  b.event.toolCallId = a.event.toolCallId;
  b.ctx.runId = "another-run";
  const replies = await withBins(REAL_BINS, async () => [
    await api.middleware[0].fn(a.event, a.ctx),
    await api.middleware[0].fn(b.event, b.ctx),
  ]);
  assert.match(replies[0].result.content.at(-1).text, /Logged ERR-/);
  assert.match(replies[1].result.content.at(-1).text, /recurred/);
  for (const [event, ctx] of [[a.event, a.ctx], [b.event, b.ctx]]) {
    const after = sameCall(captured("after_tool_call.exec-exit2.json", dir), event, ctx);
    await withBins(REAL_BINS, () => api.hooks.get("after_tool_call")(after.event, after.ctx));
  }
  assert.match(errors(dir), /Recurrence-Count: 2\n/, "each run's call once");
});

test("after_tool_call logs a failure by itself when the middleware did not run", { skip: !REAL_BINS }, async () => {
  const dir = project();
  const api = standIn();
  const run = (name) => {
    const { event, ctx } = captured(name, dir);
    return withBins(REAL_BINS, () => api.hooks.get("after_tool_call")(event, ctx));
  };
  await run("after_tool_call.exec-exit0.json");
  assert.equal(errors(dir), "", "a success writes nothing");
  await run("after_tool_call.exec-exit7.json");
  assert.match(errors(dir), /`exit 7` exited with code 7/);
  await run("after_tool_call.exec-timeout.json");
  assert.match(errors(dir), /`sleep 5` failed: timed out\n/);
  assert.match(errors(dir), /```\nCommand timed out after 1 seconds\./);
  assert.deepEqual(api.logged, []);

  // A refused host reports no folder: the session's workspace, known from its prompt, is used.
  const refused = captured("after_tool_call.exec-tool-error.json", dir);
  refused.ctx.sessionKey = "agent:main:refused";
  await withBins(REAL_BINS, () => api.hooks.get("after_tool_call")(refused.event, refused.ctx));
  assert.doesNotMatch(errors(dir), /echo hi/);
  assert.deepEqual(api.logged, ["evolver: evolver-error-detector: no working folder for this call; not logged"]);
  const prompt = captured("before_prompt_build.json", dir);
  prompt.ctx.sessionKey = "agent:main:refused";
  await withBins(REAL_BINS, () => api.hooks.get("before_prompt_build")(prompt.event, prompt.ctx));
  await withBins(REAL_BINS, () => api.hooks.get("after_tool_call")(refused.event, refused.ctx));
  assert.match(errors(dir), /`echo hi` failed: exec host=sandbox requires a sandbox runtime for this session\.\n/);
  assert.equal(api.logged.length, 1);
});

test("the detector gets the command, exit code, output, folder, error and session", async () => {
  const { bins, seen } = recorder();
  const api = standIn();
  const { event, ctx } = captured("after_tool_call.exec-exit2.json");
  await withBins(bins, () => api.hooks.get("after_tool_call")(event, ctx));
  const sent = seen("evolver-error-detector");
  assert.equal(sent.agent, "openclaw");
  assert.equal(sent.hook_event_name, "after_tool_call");
  assert.deepEqual(sent.tool_input, { command: "ls /definitely-missing-dir-xyz" });
  assert.equal(sent.exit_code, 2);
  assert.equal(sent.tool_response, event.result.details.aggregated);
  assert.equal(sent.cwd, CAPTURED_WORKSPACE);
  assert.equal(sent.session_id, ctx.sessionId);
  assert.match(sent.tool_use_id, /^call_0-\d+$/);
  assert.equal(sent.error, undefined, "a non-zero exit is not a tool error");

  const timeout = captured("after_tool_call.exec-timeout.json");
  await withBins(bins, () => api.hooks.get("after_tool_call")(timeout.event, timeout.ctx));
  const timedOut = seen("evolver-error-detector");
  assert.equal(timedOut.exit_code, undefined);
  assert.equal(timedOut.error, "timed out");
  assert.match(timedOut.tool_response, /^Command timed out after 1 seconds\./);

  const killed = captured("after_tool_call.exec-timeout.json");
  Object.assign(killed.event.result.details, { timedOut: false, exitSignal: "SIGKILL" });
  await withBins(bins, () => api.hooks.get("after_tool_call")(killed.event, killed.ctx));
  assert.equal(seen("evolver-error-detector").error, "killed by SIGKILL", "not 'failed'");

  const other = captured("after_tool_call.exec-exit2.json");
  other.event.toolName = "read";
  const { bins: quiet, seen: heard } = recorder();
  await withBins(quiet, () => api.hooks.get("after_tool_call")(other.event, other.ctx));
  assert.throws(() => heard("evolver-error-detector"), /ENOENT/, "a tool that is not a shell is not looked at");
  assert.deepEqual(api.logged, []);
});

test("a missing binary is silence and one log line per call", async () => {
  const empty = tempDir("evolver-oc-none-");
  const api = standIn();
  const prompt = captured("before_prompt_build.json", project());
  const mw = captured("tool_result_middleware.exec-exit2.json", project());
  const boot = captured("agent_bootstrap.plugin-registerHook.local.json", project());
  await withBins(empty, async () => {
    assert.equal(await api.hooks.get("before_prompt_build")(prompt.event, prompt.ctx), undefined);
    assert.equal(await api.middleware[0].fn(mw.event, mw.ctx), undefined);
    await api.internal[0].fn(boot.event);
  });
  assert.equal(boot.event.context.bootstrapFiles.length, 5);
  assert.equal(api.logged.length, 3);
  for (const line of api.logged) assert.match(line, /^evolver: evolver-[a-z-]+: could not start \(ENOENT\)$/);
});

test("a binary folder that is a file is silence and one log line", async () => {
  const file = path.join(tempDir("evolver-oc-file-"), "not-a-folder");
  fs.writeFileSync(file, "");
  const api = standIn();
  const { event, ctx } = captured("before_prompt_build.json", project());
  assert.equal(await withBins(file, () => api.hooks.get("before_prompt_build")(event, ctx)), undefined);
  assert.equal(api.logged.length, 1);
  assert.match(api.logged[0], /^evolver: evolver-activator: could not start \(ENOTDIR\)$/);
});

test("a hung binary is killed at the limit and the turn goes on", async () => {
  const pids = tempDir("evolver-oc-pids-");
  const bins = standInBins((name) => `echo $$ > '${pids}/${name}'; exec sleep 30`);
  const api = standIn();
  const { event, ctx } = captured("before_prompt_build.json", project());
  const started = Date.now();
  const result = await withBins(bins, () => api.hooks.get("before_prompt_build")(event, ctx), "800");
  const took = Date.now() - started;
  assert.equal(result, undefined);
  assert.ok(took < 5000, `returned after ${took} ms`);
  assert.deepEqual(api.logged, ["evolver: evolver-activator: stopped after 800 ms"]);
  const pid = Number(fs.readFileSync(path.join(pids, "evolver-activator"), "utf8"));
  assert.ok(pid > 1, "the stand-in started");
  let alive = true;
  for (let i = 0; i < 40 && alive; i++) {
    await new Promise((r) => setTimeout(r, 50));
    try {
      process.kill(pid, 0);
    } catch (err) {
      alive = err.code !== "ESRCH";
    }
  }
  assert.equal(alive, false, "the hung process is gone");
});

test("garbage output is ignored with a log line", async () => {
  const bins = standInBins(() => "cat > /dev/null; echo '{not json'");
  const api = standIn();
  const prompt = captured("before_prompt_build.json", project());
  const mw = captured("tool_result_middleware.exec-exit2.json", project());
  await withBins(bins, async () => {
    assert.equal(await api.hooks.get("before_prompt_build")(prompt.event, prompt.ctx), undefined);
    assert.equal(await api.middleware[0].fn(mw.event, mw.ctx), undefined);
  });
  assert.deepEqual(api.logged, [
    "evolver: evolver-activator: output was not its block; ignored",
    "evolver: evolver-error-detector: output was not its reply; ignored",
  ]);
  const failing = standInBins(() => "cat > /dev/null; exit 3");
  const quiet = standIn();
  await withBins(failing, () => quiet.hooks.get("before_prompt_build")(prompt.event, prompt.ctx));
  assert.deepEqual(quiet.logged, ["evolver: evolver-activator: exited with 3"]);
});

test("bootstrap adds the reminder once, never for a sub-agent, from the plugin or the hook", { skip: !REAL_BINS }, async () => {
  const dir = project();
  const api = standIn();
  assert.deepEqual(api.internal[0].events, ["agent:bootstrap"]);
  const { event } = captured("agent_bootstrap.plugin-registerHook.local.json", dir);
  await withBins(REAL_BINS, async () => {
    await api.internal[0].fn(event);
    await api.internal[0].fn(event);
    await hookHandler(event);
  });
  const files = event.context.bootstrapFiles;
  const ours = files.filter((f) => f.name === "EVOLVER.md");
  assert.equal(ours.length, 1);
  assert.equal(files.length, 6);
  assert.equal(ours[0].path, path.join(dir, ".learnings/EVOLVER.md"));
  assert.equal(ours[0].missing, false);
  assert.match(ours[0].content, /^evolver: Log corrections/);

  const sub = captured("agent_bootstrap.hookmd.gateway-subagent.json", dir).event;
  assert.match(sub.sessionKey, /:subagent:/);
  await withBins(REAL_BINS, async () => {
    await api.internal[0].fn(sub);
    await hookHandler(sub);
  });
  assert.deepEqual(
    sub.context.bootstrapFiles.map((f) => f.name),
    ["AGENTS.md"],
  );

  const main = captured("agent_bootstrap.hookmd.gateway-main.json", dir).event;
  await withBins(REAL_BINS, () => hookHandler(main));
  assert.equal(main.context.bootstrapFiles.filter((f) => f.name === "EVOLVER.md").length, 1);
});

test("the bootstrap reminder shows what waits in .learnings/", { skip: !REAL_BINS }, async () => {
  const dir = project();
  execFileSync(path.join(REAL_BINS, "evolver"), ["log", "learning", "--summary", "Use rg, not grep -r"], {
    cwd: dir,
    env: { ...process.env, EVOLVER_ROOT: dir },
  });
  const { event } = captured("agent_bootstrap.plugin-registerHook.local.json", dir);
  await withBins(REAL_BINS, () => hookHandler(event));
  const ours = event.context.bootstrapFiles.find((f) => f.name === "EVOLVER.md");
  assert.match(ours.content, /1 pending/);
  assert.doesNotMatch(ours.content, /Use rg/, "no prompt, so no lessons");
});
