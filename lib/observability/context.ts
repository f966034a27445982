import { AsyncLocalStorage } from "node:async_hooks";

/**
 * The ids that identify what the server is doing right now, carried through async calls with
 * `AsyncLocalStorage`: every log line ({@link ./logger}) and every span ({@link ./tracing}) started
 * inside {@link withObservabilityContext} carries them. All optional; unknown ones are left out.
 */
export type ObservabilityContext = {
  /** Id of the HTTP request being served (also sent back as `X-Request-Id`). */
  requestId?: string;
  organizationId?: string;
  userId?: string;
  taskId?: string;
  /** Inngest run id. */
  runId?: string;
  /** Inngest function id (`task-workflow`, …). */
  functionId?: string;
  /** Step id of the step being executed. */
  stepId?: string;
};

const KEYS = ["requestId", "organizationId", "userId", "taskId", "runId", "functionId", "stepId"] as const;

// One store per process even when a bundler loads this module more than once (Next route chunks).
const globalKey = Symbol.for("squadron.observability.context");
type Holder = { [globalKey]?: AsyncLocalStorage<ObservabilityContext> };
const holder = globalThis as Holder;
const storage: AsyncLocalStorage<ObservabilityContext> = (holder[globalKey] ??= new AsyncLocalStorage<ObservabilityContext>());

function defined(fields: ObservabilityContext): ObservabilityContext {
  const out: ObservabilityContext = {};
  for (const k of KEYS) {
    const v = fields[k];
    if (typeof v === "string" && v.length > 0) out[k] = v;
  }
  return out;
}

/** Runs `fn` with `fields` added to (a copy of) the current context; the outer context is unchanged. */
export function withObservabilityContext<T>(fields: ObservabilityContext, fn: () => T): T {
  return storage.run({ ...storage.getStore(), ...defined(fields) }, fn);
}

/**
 * Adds ids to the current context in place, for ids learnt midway (the organization once the caller
 * is authenticated). Outside any context it does nothing.
 */
export function addObservabilityContext(fields: ObservabilityContext): void {
  const store = storage.getStore();
  if (store) Object.assign(store, defined(fields));
}

/** The current ids (a copy; empty outside any context). */
export function currentObservabilityContext(): ObservabilityContext {
  return { ...storage.getStore() };
}
