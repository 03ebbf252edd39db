// evolver's OpenClaw plugin: OpenClaw's hooks run in-process as JavaScript, so this thin
// plugin hands each event to evolver's native hook binaries and gives their replies back.
//
// - before_prompt_build: the activator's reminder, status and relevant lessons, prepended to
//   the prompt.
// - exec results: the error detector logs a failed command; its reply ("Logged ERR-…") is
//   added to the result the model reads next, through the tool-result middleware. Where that
//   seam is not granted, after_tool_call runs the detector instead (logged, not shown).
// - agent:bootstrap: the activator's reminder and status as one more bootstrap file.
//
// Every handler is bounded by a time limit and never throws: on any failure the turn goes on
// as if the plugin were not there, and OpenClaw's log gets one line.

import {
  ACTIVATOR,
  DETECTOR,
  SHELL_TOOLS,
  activatorText,
  bootstrap,
  envelope,
  replyText,
  run,
  toolCall,
} from "./evolver.js";

/**
 * Tool calls the middleware already gave to the detector, so that after_tool_call skips them.
 * Kept on the global object, not by the module or one registration: OpenClaw loads the plugin
 * more than once in a process, each time as a fresh module, and the middleware it calls and
 * the hooks it calls may come from different loads.
 */
const SEEN_KEY = Symbol.for("evolver.openclaw.detected");
globalThis[SEEN_KEY] ??= new Set();
const seen = globalThis[SEEN_KEY];
const SEEN_LIMIT = 512;

/**
 * Each session's workspace, from its prompt hook: a tool that failed by itself reports no
 * folder, and the detector must not guess one from OpenClaw's own working directory.
 */
const WORKSPACE_KEY = Symbol.for("evolver.openclaw.workspaces");
globalThis[WORKSPACE_KEY] ??= new Map();
const workspaces = globalThis[WORKSPACE_KEY];

export default {
  id: "evolver",
  name: "evolver",
  description:
    "Logs failed shell commands to .learnings/ and shows the lessons that bear on each prompt.",
  register(api) {
    const say = (line) => {
      try {
        api.logger?.warn?.(`evolver: ${line}`);
      } catch {
        // A logger that throws must not take the hook with it.
      }
    };
    // Tool call ids repeat across runs (`call_0` in every turn of some providers): a call is
    // known by its run and its id.
    const callKey = (event, ctx) => `${ctx?.runId ?? event?.runId ?? ""}:${event?.toolCallId ?? ""}`;
    const remember = (key) => {
      seen.add(key);
      if (seen.size > SEEN_LIMIT) seen.delete(seen.values().next().value);
    };

    api.on("before_prompt_build", async (event, ctx) => {
      try {
        if (ctx?.sessionKey && ctx?.workspaceDir) {
          workspaces.delete(ctx.sessionKey);
          workspaces.set(ctx.sessionKey, ctx.workspaceDir);
          if (workspaces.size > SEEN_LIMIT) workspaces.delete(workspaces.keys().next().value);
        }
        const input = envelope({
          hook_event_name: "before_prompt_build",
          prompt: typeof event?.prompt === "string" ? event.prompt : "",
          cwd: ctx?.workspaceDir,
          session_id: ctx?.sessionId,
          session_key: ctx?.sessionKey,
        });
        const text = activatorText(await run(ACTIVATOR, input, { say }), say);
        return text ? { prependContext: text } : undefined;
      } catch (err) {
        say(`before_prompt_build: ${err?.message ?? err}`);
        return undefined;
      }
    });

    const detect = async (call, ctx, event) => {
      const input = envelope({
        hook_event_name: event,
        session_id: ctx?.sessionId,
        session_key: ctx?.sessionKey,
        ...toolCall({ ...call, cwd: call.cwd || workspaces.get(ctx?.sessionKey) }),
      });
      if (!input.cwd) {
        say(`${DETECTOR}: no working folder for this call; not logged`);
        return null;
      }
      return replyText(await run(DETECTOR, input, { say }), say);
    };

    if (typeof api.registerAgentToolResultMiddleware === "function") {
      try {
        api.registerAgentToolResultMiddleware(
          async (event, ctx) => {
            try {
              if (!SHELL_TOOLS.includes(event?.toolName)) return undefined;
              // A second registration of this middleware sees the call again: once is enough.
              const key = callKey(event, ctx);
              if (seen.has(key)) return undefined;
              remember(key);
              const call = { ...event, params: event.args };
              const reply = await detect(call, ctx, "after_tool_call");
              if (!reply) return undefined;
              const result = event.result && typeof event.result === "object" ? event.result : {};
              const content = Array.isArray(result.content) ? result.content : [];
              const note = { type: "text", text: `\n[evolver] ${reply}` };
              return { result: { ...result, content: [...content, note] } };
            } catch (err) {
              say(`tool result: ${err?.message ?? err}`);
              return undefined;
            }
          },
          { runtimes: ["openclaw"], matcher: SHELL_TOOLS },
        );
      } catch (err) {
        say(`tool-result middleware not available (${err?.message ?? err}); using after_tool_call`);
      }
    }

    api.on("after_tool_call", async (event, ctx) => {
      try {
        if (!SHELL_TOOLS.includes(event?.toolName)) return;
        if (seen.delete(callKey(event, ctx))) return;
        await detect(event, ctx, "after_tool_call");
      } catch (err) {
        say(`after_tool_call: ${err?.message ?? err}`);
      }
    });

    api.registerHook(
      ["agent:bootstrap"],
      async (event) => {
        try {
          await bootstrap(event, { say });
        } catch (err) {
          say(`agent:bootstrap: ${err?.message ?? err}`);
        }
      },
      {
        name: "evolver-bootstrap",
        description: "Adds evolver's reminder and what waits in .learnings/ to the bootstrap files",
      },
    );
  },
};
