/**
 * Bench-only instrumentation of the local executor: wraps `Store` methods (in this process) to time
 * how long each takes, so a step's time can be split into executor bookkeeping and the app's handler.
 * The executor's code is not changed; when a method is renamed it is simply not timed.
 */
import { Store } from "@/inngest/local/store";

const WRAPPED = ["claim", "callContext", "applyOutcome", "ingestEvents", "hasDueWork"] as const;
/** `claim` is split: claims that leased work, and idle polls that found none. */
export const TIMED_METHODS = [...WRAPPED, "claimIdle"] as const;
export type TimedMethod = (typeof TIMED_METHODS)[number];

const timings: Record<TimedMethod, number[]> = {
  claim: [],
  claimIdle: [],
  callContext: [],
  applyOutcome: [],
  ingestEvents: [],
  hasDueWork: [],
};
let installed = false;

/** Wraps the Store methods once per process. */
export function instrumentStore(): void {
  if (installed) return;
  installed = true;
  const proto = Store.prototype as unknown as Record<string, unknown>;
  for (const name of WRAPPED) {
    const original = proto[name];
    if (typeof original !== "function") continue;
    const fn = original as (...args: unknown[]) => Promise<unknown>;
    proto[name] = async function timed(this: unknown, ...args: unknown[]) {
      const t0 = performance.now();
      const result = await fn.apply(this, args);
      const idle = name === "claim" && Array.isArray(result) && result.length === 0;
      timings[idle ? "claimIdle" : name].push(performance.now() - t0);
      return result;
    };
  }
}

/** A mark to diff against later. */
export function timingMark(): Record<TimedMethod, number> {
  return Object.fromEntries(TIMED_METHODS.map((m) => [m, timings[m].length])) as Record<TimedMethod, number>;
}

/** Durations recorded since `mark`. */
export function timingsSince(mark: Record<TimedMethod, number>): Record<TimedMethod, number[]> {
  return Object.fromEntries(TIMED_METHODS.map((m) => [m, timings[m].slice(mark[m])])) as Record<TimedMethod, number[]>;
}
