import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import { Middleware } from "inngest";
import { z } from "zod";
import { withObservabilityContext, type ObservabilityContext } from "./context";
import { componentLogger } from "./logger";
import { recordRun, recordStep, stepKindOf } from "./metrics";
import { contextAttributes, runTraceContext, startRunRootSpan, withSpan } from "./tracing";

/** The ids a Squadron event carries (`squad/task.assigned`, …; `inngest/function.failed` wraps the original). */
const scopeSchema = z.object({ taskId: z.string().optional(), organizationId: z.string().optional() });
const eventSchema = z.object({
  name: z.string().optional(),
  ts: z.number().optional(),
  data: z.unknown(),
});
const failedDataSchema = z.object({ event: z.object({ data: z.unknown() }) });

type RunArgs = { ctx: { runId: string; event: unknown }; fn: { id(prefix?: string): string } };

function runScope(args: RunArgs): { context: ObservabilityContext; eventTs: number | null } {
  const event = eventSchema.safeParse(args.ctx.event);
  const data = event.success ? event.data.data : undefined;
  const failed = failedDataSchema.safeParse(data);
  const scope = scopeSchema.safeParse(failed.success ? failed.data.event.data : data);
  return {
    context: {
      runId: args.ctx.runId,
      functionId: args.fn.id(),
      taskId: scope.success ? scope.data.taskId : undefined,
      organizationId: scope.success ? scope.data.organizationId : undefined,
    },
    eventTs: event.success && event.data.ts !== undefined ? event.data.ts : null,
  };
}

const log = componentLogger("workflow");

function endRun(args: RunArgs, result: "completed" | "failed", error?: Error): void {
  const { context: ids, eventTs } = runScope(args);
  const start = eventTs ?? Date.now();
  recordRun(ids.functionId ?? "unknown", result, Date.now() - start);
  withObservabilityContext(ids, () => {
    const span = startRunRootSpan(args.ctx.runId, `run ${ids.functionId}`, start, { ...contextAttributes(), "squadron.run_result": result });
    if (span) {
      if (error) span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
      span.end();
    }
    if (error) log.error({ err: error }, `run ${result}`);
    else log.info(`run ${result}`);
  });
}

/**
 * Inngest middleware (on the one client, `inngest/client.ts`) that makes workflow runs observable in
 * the process that executes them (the app serving `/api/inngest`):
 * - every log line inside a run carries its run id, function id, task id and organization id;
 * - every attempt of a `step.run` / `step.sendEvent` is a span `step <id>` in the run's trace
 *   (`runTraceContext`) and an observation of `squadron_workflow_step_duration_seconds`;
 * - a run that ends (completed, or failed on its last attempt) is an observation of
 *   `squadron_workflow_run_duration_seconds` (from its trigger event's `ts`) and the trace's root span.
 */
export class ObservabilityMiddleware extends Middleware.BaseMiddleware {
  readonly id = "squadron-observability";

  override wrapFunctionHandler(args: Middleware.WrapFunctionHandlerArgs): Promise<unknown> {
    const { context: ids } = runScope(args);
    return withObservabilityContext(ids, () => args.next());
  }

  override wrapStepHandler(args: Middleware.WrapStepHandlerArgs): Promise<unknown> {
    const { context: ids } = runScope(args);
    const stepId = args.stepInfo.options.id;
    const started = performance.now();
    return withObservabilityContext({ ...ids, stepId }, () =>
      withSpan(
        `step ${stepId}`,
        {
          kind: SpanKind.INTERNAL,
          parent: runTraceContext(args.ctx.runId),
          attributes: { "squadron.step_kind": stepKindOf(stepId), "squadron.step_type": String(args.stepInfo.stepType), "squadron.attempt": args.ctx.attempt },
        },
        async () => {
          try {
            const output = await args.next();
            recordStep(ids.functionId ?? "unknown", stepId, "ok", performance.now() - started);
            return output;
          } catch (error) {
            recordStep(ids.functionId ?? "unknown", stepId, "error", performance.now() - started);
            throw error;
          }
        },
      ),
    );
  }

  override onRunComplete(args: Middleware.OnRunCompleteArgs): void {
    endRun(args, "completed");
  }

  override onRunError(args: Middleware.OnRunErrorArgs): void {
    if (args.isFinalAttempt) endRun(args, "failed", args.error);
  }
}
