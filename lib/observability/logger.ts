import { trace } from "@opentelemetry/api";
import pino, { type DestinationStream, type Logger, type LoggerOptions } from "pino";
import pretty from "pino-pretty";
import { env } from "@/lib/env";
import { currentObservabilityContext } from "./context";

/**
 * Field names whose values are never logged, at any depth up to four levels (`authorization`,
 * `headers.authorization`, `req.headers.authorization`, …): credentials of users, API keys, vendors
 * and webhooks. Matching is exact and case-sensitive, so both spellings in use are listed.
 */
export const REDACTED_KEYS = [
  "authorization",
  "Authorization",
  "cookie",
  "Cookie",
  "set-cookie",
  "x-api-key",
  "x-hub-signature-256",
  "stripe-signature",
  "password",
  "token",
  "accessToken",
  "refreshToken",
  "idToken",
  "apiKey",
  "api_key",
  "secret",
  "clientSecret",
  "webhookSecret",
  "privateKey",
  "signingKey",
  "encryptionKey",
  "METRICS_TOKEN",
  "OPENAI_API_KEY",
  "ANTHROPIC_API_KEY",
  "BETTER_AUTH_SECRET",
  "STRIPE_SECRET_KEY",
  "GITHUB_TOKEN",
] as const;

/** What a redacted value is replaced with. */
export const REDACTED = "[redacted]";

function redactPaths(): string[] {
  const paths: string[] = [];
  for (const key of REDACTED_KEYS) {
    // Keys with characters outside identifiers need bracket notation.
    const segment = /^[A-Za-z_$][\w$]*$/.test(key) ? key : `["${key}"]`;
    const join = (prefix: string) => (segment.startsWith("[") ? `${prefix}${segment}` : prefix ? `${prefix}.${segment}` : segment);
    paths.push(join(""), join("*"), join("*.*"), join("*.*.*"));
  }
  return paths;
}

/**
 * Token shapes scrubbed out of free text (messages and error messages), where field redaction cannot
 * see them: bearer credentials, Squadron API keys (`sq_…`), OpenAI/Anthropic keys (`sk-…`), Stripe
 * keys and webhook secrets, GitHub tokens, Inngest signing keys. Formats from each vendor's docs.
 */
const SECRET_PATTERNS: RegExp[] = [
  /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{6,}/g,
  /\bsq_[A-Za-z0-9_-]{8,}/g,
  /\bsk-[A-Za-z0-9_-]{8,}/g,
  /\b(sk|rk|pk)_(live|test)_[A-Za-z0-9]{8,}/g,
  /\bwhsec_[A-Za-z0-9+/=]{8,}/g,
  /\b(ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{16,}/g,
  /\bgithub_pat_[A-Za-z0-9_]{16,}/g,
  /\bsignkey-[a-z]+-[A-Za-z0-9]{8,}/g,
];

/** Replaces every token-shaped substring of `text` with {@link REDACTED}. */
export function scrubSecrets(text: string): string {
  let out = text;
  for (const p of SECRET_PATTERNS) out = out.replace(p, REDACTED);
  return out;
}

function serializeError(value: unknown): unknown {
  const serialized = pino.stdSerializers.err(value instanceof Error ? value : new Error(String(value)));
  return {
    ...serialized,
    message: scrubSecrets(serialized.message),
    stack: serialized.stack ? scrubSecrets(serialized.stack) : serialized.stack,
  };
}

export type CreateLoggerOptions = {
  /** Least level logged. Default `LOG_LEVEL`, else `info` (`warn` under `NODE_ENV=test`). */
  level?: string;
  /** Where lines go. Default: stdout as JSON; in development a pino-pretty stream. */
  destination?: DestinationStream;
};

/**
 * A pino logger whose every line carries the current request id, organization id, task id, run id
 * (…) from {@link currentObservabilityContext} and the active trace and span ids, with credentials
 * redacted by field name ({@link REDACTED_KEYS}) and by shape in messages ({@link scrubSecrets}).
 * JSON lines in production and tests; human-readable through pino-pretty under `NODE_ENV=development`.
 */
export function createLogger(opts: CreateLoggerOptions = {}): Logger {
  const options: LoggerOptions = {
    level: opts.level ?? env.LOG_LEVEL ?? (env.NODE_ENV === "test" ? "warn" : "info"),
    base: { service: "squadron" },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: redactPaths(), censor: REDACTED },
    serializers: { err: serializeError, error: serializeError },
    mixin() {
      const span = trace.getActiveSpan()?.spanContext();
      return {
        ...currentObservabilityContext(),
        ...(span && trace.isSpanContextValid(span) ? { traceId: span.traceId, spanId: span.spanId } : {}),
      };
    },
    hooks: {
      logMethod(args, method) {
        const scrubbed = args.map((a) => (typeof a === "string" ? scrubSecrets(a) : a)) as typeof args;
        method.apply(this, scrubbed);
      },
    },
  };
  const destination = opts.destination ?? (env.NODE_ENV === "development" ? pretty({ sync: true, colorize: true }) : undefined);
  return destination ? pino(options, destination) : pino(options);
}

const globalKey = Symbol.for("squadron.observability.logger");
type Holder = { [globalKey]?: Logger };
const holder = globalThis as Holder;

/** The process's logger (one per process, however often bundlers load this module). */
export const logger: Logger = (holder[globalKey] ??= createLogger());

/** A child logger whose lines say which part of the server wrote them (`component: "api"`, …). */
export function componentLogger(component: string): Logger {
  return logger.child({ component });
}
