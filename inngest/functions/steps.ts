import type { WorkflowSteps } from "@/lib/agents/steps";

/** The parts of Inngest's `step` tools that {@link workflowSteps} adapts. */
type InngestStep = {
  run: (id: string, fn: () => Promise<unknown>) => Promise<unknown>;
  sendEvent: (id: string, payload: { name: string; data: Record<string, unknown>; id?: string }) => Promise<unknown>;
  waitForEvent: (id: string, opts: { event: string; timeout: string; if: string }) => Promise<{ data: unknown } | null>;
};

/**
 * Adapts an Inngest function's `step` to the {@link WorkflowSteps} that domain code (`lib/`) runs on.
 * A step's result is the JSON the step's own function returned (memoized by the executor), so the
 * type given by the caller is the type its function produced.
 */
export function workflowSteps(step: InngestStep): WorkflowSteps {
  return {
    run: <T>(id: string, fn: () => Promise<T>) => step.run(id, fn) as Promise<T>,
    sendEvent: async (id, event) => {
      await step.sendEvent(id, event);
    },
    waitForEvent: async (id, opts) => {
      const received = await step.waitForEvent(id, { event: opts.event, timeout: opts.timeout, if: opts.if });
      return received ? received.data : null;
    },
  };
}
