/**
 * The durable step tools a workflow lends to domain code: Inngest's `step` in production (adapted in
 * `inngest/functions/steps.ts`), or any memoizing stand-in in tests. The same id must give the same
 * (memoized) result on replay, so domain code stays deterministic between steps.
 */
export type WorkflowSteps = {
  /** Runs `fn` once as the step `id`; a replay returns its memoized (JSON) result. */
  run<T>(id: string, fn: () => Promise<T>): Promise<T>;
  /** Sends one event as the step `id` (sent once, however often the run replays). */
  sendEvent(id: string, event: { name: string; data: Record<string, unknown>; id?: string }): Promise<void>;
  /**
   * Waits for an event named `event` for which the CEL expression `if` holds (`async` is the awaited
   * event, e.g. `async.data.approvalId == "…"`), at most `timeout` (`"30m"`, `"2s"`).
   * @returns the event's `data`, unparsed (callers parse it with the event's zod schema), or null on timeout
   */
  waitForEvent(id: string, opts: { event: string; if: string; timeout: string }): Promise<unknown>;
};
