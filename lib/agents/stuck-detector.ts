import type { ToolCall } from "@/lib/llm/types";

/** When an agent counts as stuck. */
export type StuckLimits = {
  /** The same tool call (name and arguments) this many times in one agent run is a loop. */
  repeatedCalls: number;
  /** This many turns in a row without progress (no new tool call, no successful new change) is a loop. */
  idleTurns: number;
};

/** Defaults: a third identical call, or four turns in a row that only repeat earlier calls or fail. */
export const DEFAULT_STUCK_LIMITS: StuckLimits = { repeatedCalls: 3, idleTurns: 4 };

export type StuckVerdict = { stuck: false } | { stuck: true; reason: string; signature: string };

/**
 * Tools whose success (may) change the workspace: `write_file`, the editing tools of
 * `lib/workspace/tools/`, and `run_command` (a formatter, `sed -i`, a code generator edit files too).
 * A new change is progress, and the same observation (`read_file`, `run_tests`, …) made after it is a
 * new observation, not a repeat; the very same command run again is still counted as a repeat.
 */
export const MUTATING_TOOLS: ReadonlySet<string> = new Set(["write_file", "edit_file", "create_file", "apply_patch", "run_command"]);

/** A stable identity of a tool call: its name and its arguments as canonical JSON (sorted keys). */
export function callSignature(call: Pick<ToolCall, "name" | "arguments">): string {
  return `${call.name} ${canonicalJson(call.arguments)}`;
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

function describe(call: Pick<ToolCall, "name" | "arguments">): string {
  const args = canonicalJson(call.arguments);
  return args === "{}" ? call.name : `${call.name} ${args.length > 120 ? `${args.slice(0, 117)}…` : args}`;
}

/**
 * Watches one agent run's tool calls for loops. Pure and deterministic: fed the same calls in the same
 * order (a durable replay), it reaches the same verdicts.
 *
 * What counts as a repeat: an observation (any tool not in {@link MUTATING_TOOLS}) is keyed by its
 * call *and the workspace version* — the number of distinct successful changes so far — so re-running
 * the tests after an edit, or re-reading a file after writing it, is a new call. A change is keyed by
 * its call alone: making the very same edit again does not move the version, so "write the same
 * thing, run the tests, write the same thing…" still adds up to a loop.
 *
 * Call {@link StuckDetector.beforeTools} with each turn's tool calls before they run, and
 * {@link StuckDetector.afterTools} with their outcomes; {@link StuckDetector.reset} after a human
 * has looked at the loop and told the agent how to go on.
 */
export class StuckDetector {
  private readonly counts = new Map<string, number>();
  /** Signatures of changes that succeeded at least once. */
  private readonly changes = new Set<string>();
  /** Distinct successful changes so far: observations are compared within one version. */
  private version = 0;
  private idle = 0;
  /** Keys the last `beforeTools` gave its calls, in order, for `afterTools`. */
  private pending: string[] = [];

  constructor(private readonly limits: StuckLimits = DEFAULT_STUCK_LIMITS) {}

  private keyOf(call: Pick<ToolCall, "name" | "arguments">, version: number): string {
    const signature = callSignature(call);
    return MUTATING_TOOLS.has(call.name) ? signature : `${signature} @${version}`;
  }

  /** Checks a turn's calls before they run: a call repeated `repeatedCalls` times (see above) is a loop. */
  beforeTools(calls: Pick<ToolCall, "name" | "arguments">[]): StuckVerdict {
    // Within the turn, a new change is assumed to succeed for the calls after it.
    let version = this.version;
    this.pending = [];
    for (const call of calls) {
      const key = this.keyOf(call, version);
      this.pending.push(key);
      const seen = (this.counts.get(key) ?? 0) + 1;
      this.counts.set(key, seen);
      if (seen >= this.limits.repeatedCalls) {
        return {
          stuck: true,
          signature: callSignature(call),
          // Observations are only counted within one workspace version: nothing changed in between.
          reason: `called ${describe(call)} ${seen} times with the same arguments`,
        };
      }
      if (MUTATING_TOOLS.has(call.name) && !this.changes.has(key)) version++;
    }
    return { stuck: false };
  }

  /**
   * Records a turn's outcome: progress is a successful new change, or a successful call not made
   * before at this workspace version. `idleTurns` turns in a row without progress is a loop.
   */
  afterTools(results: { call: Pick<ToolCall, "name" | "arguments">; ok: boolean }[]): StuckVerdict {
    let progressed = false;
    for (const [i, r] of results.entries()) {
      const key = this.pending[i] ?? this.keyOf(r.call, this.version);
      if (!r.ok) continue;
      if (MUTATING_TOOLS.has(r.call.name)) {
        if (!this.changes.has(key)) {
          this.changes.add(key);
          this.version++;
          progressed = true;
        }
      } else if (this.counts.get(key) === 1) {
        progressed = true;
      }
    }
    this.pending = [];
    this.idle = progressed ? 0 : this.idle + 1;
    if (this.idle >= this.limits.idleTurns) {
      const last = results.at(-1);
      return {
        stuck: true,
        signature: last ? callSignature(last.call) : "",
        reason: `made no progress in ${this.idle} turns in a row (only repeated or failing tool calls)`,
      };
    }
    return { stuck: false };
  }

  /** Forgets what was seen (after a human's instructions), so the agent gets a fresh budget of turns. */
  reset(): void {
    this.counts.clear();
    this.changes.clear();
    this.pending = [];
    this.version = 0;
    this.idle = 0;
  }
}
