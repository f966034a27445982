import type { ToolCall } from "@/lib/llm/types";

/** When an agent counts as stuck. */
export type StuckLimits = {
  /** The same tool call (name and arguments) this many times in one agent run is a loop. */
  repeatedCalls: number;
  /** This many turns in a row without progress (no new tool call, no successful write) is a loop. */
  idleTurns: number;
};

/** Defaults: a third identical call, or four turns in a row that only repeat earlier calls or fail. */
export const DEFAULT_STUCK_LIMITS: StuckLimits = { repeatedCalls: 3, idleTurns: 4 };

export type StuckVerdict = { stuck: false } | { stuck: true; reason: string; signature: string };

/** Tool calls whose success changes the workspace, and so count as progress. */
const PROGRESS_TOOLS = new Set(["write_file"]);

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
 * Call {@link StuckDetector.beforeTools} with each turn's tool calls before they run, and
 * {@link StuckDetector.afterTools} with their outcomes; {@link StuckDetector.reset} after a human
 * has looked at the loop and told the agent how to go on.
 */
export class StuckDetector {
  private readonly counts = new Map<string, number>();
  private idle = 0;

  constructor(private readonly limits: StuckLimits = DEFAULT_STUCK_LIMITS) {}

  /** Checks a turn's calls before they run: a call repeated `repeatedCalls` times is a loop. */
  beforeTools(calls: Pick<ToolCall, "name" | "arguments">[]): StuckVerdict {
    for (const call of calls) {
      const signature = callSignature(call);
      const seen = (this.counts.get(signature) ?? 0) + 1;
      this.counts.set(signature, seen);
      if (seen >= this.limits.repeatedCalls) {
        return {
          stuck: true,
          signature,
          reason: `called ${describe(call)} ${seen} times with the same arguments`,
        };
      }
    }
    return { stuck: false };
  }

  /**
   * Records a turn's outcome: progress is a call not seen before that succeeded, or a successful
   * write. `idleTurns` turns in a row without progress is a loop.
   */
  afterTools(results: { call: Pick<ToolCall, "name" | "arguments">; ok: boolean }[]): StuckVerdict {
    const progressed = results.some(
      (r) => r.ok && (PROGRESS_TOOLS.has(r.call.name) || this.counts.get(callSignature(r.call)) === 1),
    );
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
    this.idle = 0;
  }
}
