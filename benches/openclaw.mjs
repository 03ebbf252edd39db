// What the OpenClaw plugin adds to a turn: each handler timed in-process, as OpenClaw calls it,
// with the release binaries, beside the same spawn of `/bin/true` (what any plugin that runs a
// program pays anyway).
//
//   cargo build --release && node benches/openclaw.mjs     # RUNS=300 for more runs
//
// Cases, in a git project holding 1,000 entries (60% learnings, 30% errors, 10% features):
// - baseline: the plugin's runner spawning `/bin/true` with the envelope on stdin;
// - before_prompt_build: the activator's block for a prompt;
// - exec success: the middleware on a captured `exit 0` result (nothing logged);
// - exec failure: the middleware on a captured `exit 2` result, a recurrence after the first
//   run (the entry's count goes up, the reply is added to the result);
// - agent:bootstrap: the reminder file.
// Prints median and 95th percentile per case, in milliseconds.

import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const BINS = path.join(ROOT, "target/release");
const RUNS = Number(process.env.RUNS) || 150;
const FIXTURES = path.join(ROOT, "tests/fixtures/payloads/openclaw-2026.9.6");
const WORKSPACE = "/home/dev/.openclaw/workspace";

if (!fs.existsSync(path.join(BINS, "evolver-activator"))) {
  console.error("benches/openclaw.mjs: build first: cargo build --release");
  process.exit(1);
}
process.env.EVOLVER_BIN_DIR = BINS;
const { run } = await import(path.join(ROOT, "hooks/openclaw/evolver.js"));
const plugin = (await import(path.join(ROOT, "hooks/openclaw/index.js"))).default;

const project = fs.mkdtempSync(path.join(os.tmpdir(), "evolver-bench-openclaw-"));
fs.mkdirSync(path.join(project, ".git"));
const evolver = (args) => execFileSync(path.join(BINS, "evolver"), args, { cwd: project });
evolver(["init"]);
const logs = { learning: "", error: "", feature: "" };
for (let i = 0; i < 1000; i++) {
  const kind = i % 10 < 6 ? "LRN" : i % 10 < 9 ? "ERR" : "FEAT";
  const file = { LRN: "LEARNINGS.md", ERR: "ERRORS.md", FEAT: "FEATURE_REQUESTS.md" }[kind];
  const n = String(i + 1).padStart(3, "0");
  const entry = `\n## [${kind}-20261201-${n}] area_${i % 17}\n\n**Logged**: 2026-12-01T10:00:00Z\n**Priority**: medium\n**Status**: pending\n**Area**: backend\n\n### Summary\nLesson ${i} about the parser, the cache and the build step ${i % 13}\n\n### Details\nWhat happened in case ${i}.\n\n---\n`;
  fs.appendFileSync(path.join(project, ".learnings", file), entry);
}
evolver(["doctor", "--fix"]);

const captured = (name) =>
  JSON.parse(fs.readFileSync(path.join(FIXTURES, name), "utf8").replaceAll(WORKSPACE, project));

const api = {
  hooks: new Map(),
  middleware: null,
  internal: null,
  logger: { warn: (line) => console.error(line) },
  on: (name, fn) => api.hooks.set(name, fn),
  registerHook: (events, fn) => (api.internal = fn),
  registerAgentToolResultMiddleware: (fn) => (api.middleware = fn),
};
plugin.register(api);

let calls = 0;
const cases = {
  "baseline: spawn /bin/true": () => run("true", { agent: "openclaw" }, { env: { ...process.env, EVOLVER_BIN_DIR: "/bin" } }),
  before_prompt_build: () => {
    const { event, ctx } = captured("before_prompt_build.json");
    event.prompt = "the parser cache fails in the build step";
    return api.hooks.get("before_prompt_build")(event, ctx);
  },
  "exec success (middleware)": () => {
    const { event, ctx } = captured("tool_result_middleware.exec-exit0.json");
    event.toolCallId += `-${++calls}`;
    return api.middleware(event, ctx);
  },
  "exec failure, a recurrence (middleware)": () => {
    const { event, ctx } = captured("tool_result_middleware.exec-exit2.json");
    event.toolCallId += `-${++calls}`;
    return api.middleware(event, ctx);
  },
  "agent:bootstrap": () => api.internal(captured("agent_bootstrap.plugin-registerHook.local.json").event),
};

const ms = (ns) => (Number(ns) / 1e6).toFixed(1);
console.log(`| case (${RUNS} runs, 1,000 entries) | median | p95 |`);
console.log("|---|---|---|");
for (const [name, call] of Object.entries(cases)) {
  for (let i = 0; i < 5; i++) await call();
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    const start = process.hrtime.bigint();
    await call();
    times.push(process.hrtime.bigint() - start);
  }
  times.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const at = (q) => times[Math.min(times.length - 1, Math.floor(q * times.length))];
  console.log(`| ${name} | ${ms(at(0.5))} ms | ${ms(at(0.95))} ms |`);
}
const errors = fs.readFileSync(path.join(project, ".learnings/ERRORS.md"), "utf8");
const count = errors.match(/`ls \/definitely-missing-dir-xyz` exited with code 2[\s\S]*?Recurrence-Count: (\d+)/);
console.log(`(the failure's Recurrence-Count after the runs: ${count ? count[1] : "none"})`);
if (!process.env.KEEP) fs.rmSync(project, { recursive: true });
