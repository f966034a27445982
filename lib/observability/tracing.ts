import { createHash, randomBytes } from "node:crypto";
import { context, SpanStatusCode, trace, TraceFlags, type Attributes, type Context, type Span, type SpanKind } from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor, type IdGenerator, type SpanExporter, type SpanProcessor } from "@opentelemetry/sdk-trace-base";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import { ATTR_SERVICE_NAME } from "@opentelemetry/semantic-conventions";
import { currentObservabilityContext } from "./context";

/** Name (instrumentation scope) of every span Squadron itself starts. */
export const TRACER_NAME = "squadron";

/**
 * Span attributes Squadron adds from its context ({@link currentObservabilityContext}): the ids a
 * support engineer searches by.
 */
export const SQUADRON_ATTRIBUTES = {
  requestId: "squadron.request_id",
  organizationId: "squadron.organization_id",
  userId: "enduser.id",
  taskId: "squadron.task_id",
  runId: "squadron.run_id",
  functionId: "squadron.function_id",
  stepId: "squadron.step_id",
} as const;

/** The current context's ids as span attributes. */
export function contextAttributes(): Attributes {
  const ctx = currentObservabilityContext();
  const out: Attributes = {};
  for (const [key, attr] of Object.entries(SQUADRON_ATTRIBUTES)) {
    const v = ctx[key as keyof typeof SQUADRON_ATTRIBUTES];
    if (v) out[attr] = v;
  }
  return out;
}

/**
 * Runs `fn` inside a new active span named `name` (child of the active span, or of `opts.parent`),
 * with the context's ids ({@link contextAttributes}) and `opts.attributes`. A throw marks the span as
 * an error (exception recorded) and is rethrown. Without a registered tracer provider this costs a
 * non-recording span.
 */
export async function withSpan<T>(
  name: string,
  opts: { attributes?: Attributes; kind?: SpanKind; parent?: Context },
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  const tracer = trace.getTracer(TRACER_NAME);
  const parent = opts.parent ?? context.active();
  return tracer.startActiveSpan(name, { kind: opts.kind, attributes: { ...contextAttributes(), ...opts.attributes } }, parent, async (span) => {
    try {
      return await fn(span);
    } catch (error) {
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
      throw error;
    } finally {
      span.end();
    }
  });
}

/** Trace id (32 hex) of the active span, or null when nothing is traced. */
export function currentTraceId(): string | null {
  const sc = trace.getActiveSpan()?.spanContext();
  return sc && trace.isSpanContextValid(sc) && (sc.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED ? sc.traceId : null;
}

/**
 * The ids of a workflow run's trace, derived from the run id (SHA-256), so every request the executor
 * makes for one run (each answers a few steps) lands in the same trace, under one root span that is
 * written when the run ends ({@link startRunRootSpan}). `traceId` 32 hex, `rootSpanId` 16 hex.
 */
export function runTraceIds(runId: string): { traceId: string; rootSpanId: string } {
  const hex = createHash("sha256").update(`squadron-run:${runId}`).digest("hex");
  return { traceId: hex.slice(0, 32), rootSpanId: hex.slice(32, 48) };
}

/** A context whose (remote) parent is the run's root span: spans started in it join the run's trace. */
export function runTraceContext(runId: string, base: Context = context.active()): Context {
  const { traceId, rootSpanId } = runTraceIds(runId);
  return trace.setSpanContext(base, { traceId, spanId: rootSpanId, traceFlags: TraceFlags.SAMPLED, isRemote: true });
}

/**
 * Id generator that is random (like the SDK's) except while {@link startRunRootSpan} starts a run's
 * root span, which gets the ids of {@link runTraceIds}. Span creation is synchronous, so the override
 * cannot leak to another span.
 */
class RunAwareIdGenerator implements IdGenerator {
  override: { traceId: string; spanId: string } | null = null;
  generateTraceId(): string {
    return this.override?.traceId ?? randomBytes(16).toString("hex");
  }
  generateSpanId(): string {
    return this.override?.spanId ?? randomBytes(8).toString("hex");
  }
}

const globalKey = Symbol.for("squadron.observability.tracing");
type Holder = { [globalKey]?: { provider: NodeTracerProvider; ids: RunAwareIdGenerator } };
const holder = globalThis as Holder;

/**
 * Writes the root span of a run's trace (`run <function id>`), from `startTime` (ms) to now, with the
 * ids of {@link runTraceIds}, so the steps written under {@link runTraceContext} hang from it. Only with
 * the provider of {@link registerTracing} (another provider cannot take chosen ids: then the steps'
 * parent stays a missing span, which trace viewers show as such).
 */
export function startRunRootSpan(runId: string, name: string, startTime: number, attributes: Attributes): Span | null {
  const registered = holder[globalKey];
  if (!registered) return null;
  const { traceId, rootSpanId } = runTraceIds(runId);
  registered.ids.override = { traceId, spanId: rootSpanId };
  try {
    return trace.getTracer(TRACER_NAME).startSpan(name, { startTime, root: true, attributes }, context.active());
  } finally {
    registered.ids.override = null;
  }
}

export type RegisterTracingOptions = {
  /** Span processors to use instead of the OTLP exporter (tests: a `SimpleSpanProcessor` over an `InMemorySpanExporter`). */
  spanProcessors?: SpanProcessor[];
  /** Exporter behind a `BatchSpanProcessor` instead of OTLP/HTTP. */
  exporter?: SpanExporter;
};

/**
 * Registers the process's tracer provider (once; later calls return the first): spans go through a
 * `BatchSpanProcessor` to OTLP/HTTP (`OTEL_EXPORTER_OTLP_ENDPOINT` + `/v1/traces`, headers from
 * `OTEL_EXPORTER_OTLP_HEADERS`, both read by the exporter) unless other processors are given.
 * Service name `squadron`. Called from `instrumentation.ts` when the
 * endpoint is set. Returns the provider (`shutdown()` flushes).
 */
export function registerTracing(opts: RegisterTracingOptions = {}): NodeTracerProvider {
  const existing = holder[globalKey];
  if (existing) return existing.provider;
  const ids = new RunAwareIdGenerator();
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: "squadron" }),
    idGenerator: ids,
    spanProcessors: opts.spanProcessors ?? [new BatchSpanProcessor(opts.exporter ?? new OTLPTraceExporter())],
  });
  provider.register();
  holder[globalKey] = { provider, ids };
  return provider;
}
