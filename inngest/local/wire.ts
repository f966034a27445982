/**
 * Zod schemas for everything that crosses the wire between the local executor and an Inngest SDK
 * (v4.24.0): the register call, events, and the SDK's answers when the executor calls a function.
 *
 * Shapes were confirmed against the installed SDK (`node_modules/inngest`: InngestCommHandler.js,
 * InngestFunction.getConfig, execution/engine.js, InngestStepTools.js).
 */
import { z } from "zod";

/** Any JSON value. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export const jsonSchema: z.ZodType<Json> = z.json();
export const jsonObjectSchema: z.ZodType<JsonObject> = z.record(z.string(), z.json());

// ---------------------------------------------------------------------------------------------------
// Sync: POST /fn/register
// ---------------------------------------------------------------------------------------------------

/** One trigger as `InngestFunction.getConfig` emits it. */
export const triggerSchema = z.union([
  z.object({ event: z.string().min(1), expression: z.string().optional() }).strict(),
  z.object({ cron: z.string(), jitter: z.string().optional() }).strict(),
]);

const concurrencyOptionSchema = z
  .object({ limit: z.number(), key: z.string().optional(), scope: z.string().optional() })
  .strict();

/**
 * A function config as registered. Every key is listed so that `.strict()` catches options this
 * executor has never heard of; `validateFunctionConfig` then rejects those it does not implement.
 */
export const functionConfigSchema = z
  .object({
    id: z.string().min(1),
    name: z.string().optional(),
    triggers: z.array(triggerSchema).default([]),
    steps: z.record(
      z.string(),
      z
        .object({
          id: z.string(),
          name: z.string(),
          runtime: z.object({ type: z.string(), url: z.string() }).loose(),
          retries: z.object({ attempts: z.number().optional() }).loose().optional(),
        })
        .loose(),
    ),
    idempotency: z.string().optional(),
    concurrency: z
      .union([z.number(), concurrencyOptionSchema, z.array(concurrencyOptionSchema)])
      .optional(),
    cancel: z
      .array(
        z.object({ event: z.string(), if: z.string().optional(), timeout: z.string().optional() }).strict(),
      )
      .optional(),
    // Validated in functions.ts: `{ start?, finish? }` duration strings.
    timeouts: jsonSchema.optional(),
    // Options the executor knows about but does not implement (rejected at sync when present).
    batchEvents: jsonSchema.optional(),
    rateLimit: jsonSchema.optional(),
    throttle: jsonSchema.optional(),
    singleton: jsonSchema.optional(),
    debounce: jsonSchema.optional(),
    priority: jsonSchema.optional(),
  })
  .catchall(jsonSchema);
export type FunctionConfig = z.infer<typeof functionConfigSchema>;

/** Body of `POST /fn/register` (out-of-band sync). */
export const registerBodySchema = z
  .object({
    url: z.string(),
    appName: z.string().min(1),
    functions: z.array(z.unknown()).default([]),
    framework: z.string().optional(),
    sdk: z.string().optional(),
  })
  .loose();

/** What the SDK answers to `PUT <serve url>` (it relays our register answer). */
export const syncResponseSchema = z
  .object({ message: z.string().optional(), modified: z.boolean().optional() })
  .loose();

// ---------------------------------------------------------------------------------------------------
// Events: POST /e/:key
// ---------------------------------------------------------------------------------------------------

/** One event as a client sends it. `id` is the optional idempotency key (deduplicated for 24 h). */
export const incomingEventSchema = z
  .object({
    name: z.string().min(1),
    data: jsonObjectSchema.nullish(),
    id: z.string().min(1).nullish(),
    ts: z.number().nullish(),
    user: jsonSchema.nullish(),
    v: z.string().nullish(),
    meta: jsonSchema.nullish(),
  })
  .loose();
export type IncomingEvent = z.infer<typeof incomingEventSchema>;

export const incomingEventsSchema = z.union([incomingEventSchema, z.array(incomingEventSchema)]);

/**
 * An event as stored and as handed to functions: `id` is the sender's id or, when none was given,
 * the executor's internal ULID; `ts` is epoch milliseconds.
 */
export type EventPayload = {
  name: string;
  data: JsonObject;
  id: string;
  ts: number;
  user?: Json;
  v?: string;
  meta?: Json;
};

export const eventPayloadSchema: z.ZodType<EventPayload> = z.object({
  name: z.string(),
  data: jsonObjectSchema,
  id: z.string(),
  ts: z.number(),
  user: jsonSchema.optional(),
  v: z.string().optional(),
  meta: jsonSchema.optional(),
});

// ---------------------------------------------------------------------------------------------------
// Calling a function: the SDK's answers
// ---------------------------------------------------------------------------------------------------

/** An op code in a `206` answer. Unknown codes are kept as strings and rejected at run time. */
export const opSchema = z
  .object({
    id: z.string().min(1),
    op: z.string(),
    name: z.string().nullish(),
    displayName: z.string().nullish(),
    opts: z.record(z.string(), z.json()).nullish(),
    data: jsonSchema.optional(),
    error: jsonSchema.optional(),
  })
  .loose();
export type Op = z.infer<typeof opSchema>;

export const opsSchema = z.array(opSchema);

/** Final value a streaming (`201`) answer ends with, after heartbeat spaces. */
export const streamedResponseSchema = z
  .object({
    status: z.number(),
    headers: z.record(z.string(), z.string()).default({}),
    body: z.string().default(""),
  })
  .loose();

/** `opts` of a `WaitForEvent` op: `timeout` as an Inngest time string, `if` as CEL. */
export const waitForEventOptsSchema = z
  .object({ timeout: z.string().optional(), if: z.string().optional() })
  .loose();

/** `opts` of an `InvokeFunction` op. */
export const invokeOptsSchema = z
  .object({
    function_id: z.string().min(1),
    payload: z
      .object({ data: jsonSchema.optional(), v: z.string().nullish(), user: jsonSchema.optional() })
      .loose()
      .default({}),
    timeout: z.string().nullish(),
  })
  .loose();

/** A serialized error as the SDK sends it (`serializeError`), or anything we build ourselves. */
export type SerializedError = { name: string; message: string; stack?: string } & JsonObject;

/** Coerces whatever came back as an error into `{ name, message, ... }`. */
export function toSerializedError(value: Json | undefined, fallbackMessage = "Unknown error"): SerializedError {
  if (value && typeof value === "object" && !Array.isArray(value)) {
    const name = typeof value.name === "string" && value.name ? value.name : "Error";
    const message =
      typeof value.message === "string" && value.message
        ? value.message
        : typeof value.error === "string"
          ? value.error
          : fallbackMessage;
    return { ...value, name, message };
  }
  if (typeof value === "string" && value) return { name: "Error", message: value };
  return { name: "Error", message: fallbackMessage };
}

/** Builds a serialized error from a message. */
export function errorJson(message: string, name = "Error"): SerializedError {
  return { name, message, stack: "" };
}
