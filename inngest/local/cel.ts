/**
 * CEL (Common Expression Language) as Inngest uses it: trigger `expression`s and `cancelOn`/
 * `waitForEvent` `if`s (variables `event` and `async`), concurrency and idempotency `key`s (`event`).
 *
 * Evaluated with `@marcbachmann/cel-js`. JSON integers are handed to CEL as `int` (BigInt) so that
 * `event.data.count + 1 == 2` type-checks; other numbers stay `double`.
 */
import { parse } from "@marcbachmann/cel-js";
import type { Json } from "./wire";

type Compiled = ReturnType<typeof parse>;
type CelValue = string | number | bigint | boolean | null | CelValue[] | { [key: string]: CelValue };

const cache = new Map<string, Compiled>();
const MAX_CACHE = 500;

function compile(expression: string): Compiled {
  const hit = cache.get(expression);
  if (hit) return hit;
  const compiled = parse(expression);
  if (cache.size >= MAX_CACHE) cache.clear();
  cache.set(expression, compiled);
  return compiled;
}

/** Converts JSON into CEL input: safe integers become BigInt (`int`). */
function toCel(value: Json): CelValue {
  if (typeof value === "number") return Number.isSafeInteger(value) ? BigInt(value) : value;
  if (Array.isArray(value)) return value.map(toCel);
  if (value && typeof value === "object") {
    const out: { [key: string]: CelValue } = {};
    for (const [key, inner] of Object.entries(value)) out[key] = toCel(inner);
    return out;
  }
  return value;
}

/**
 * Checks that an expression parses.
 * @returns `null` when it is valid, otherwise the parser's message
 */
export function celSyntaxError(expression: string): string | null {
  try {
    compile(expression);
    return null;
  } catch (err) {
    return err instanceof Error ? err.message.split("\n")[0] ?? err.message : String(err);
  }
}

/** Evaluates `expression`; throws on syntax or evaluation errors (e.g. a missing key). */
function evaluate(expression: string, vars: Record<string, Json>): unknown {
  const input: Record<string, CelValue> = {};
  for (const [key, value] of Object.entries(vars)) input[key] = toCel(value);
  return compile(expression)(input);
}

/**
 * True only when the expression evaluates to boolean `true`. Evaluation errors (a missing field, a
 * type mismatch) count as "no match", as in Inngest.
 */
export function celMatches(expression: string, vars: Record<string, Json>): boolean {
  try {
    return evaluate(expression, vars) === true;
  } catch {
    return false;
  }
}

/**
 * Evaluates a key expression (concurrency, idempotency) to a string.
 * @returns the value as a string (objects as JSON), or `null` when evaluation fails
 */
export function celKey(expression: string, vars: Record<string, Json>): string | null {
  try {
    const value = evaluate(expression, vars);
    if (value === null || value === undefined) return "null";
    if (typeof value === "string") return value;
    if (typeof value === "bigint" || typeof value === "number" || typeof value === "boolean") return String(value);
    return JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
  } catch {
    return null;
  }
}
