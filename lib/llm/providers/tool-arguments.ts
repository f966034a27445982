import { z } from "zod";

const argumentsSchema = z.record(z.string(), z.unknown());

/**
 * Parses a model's tool-call arguments into an object. Arguments that are not a JSON object become `{}`,
 * so the tool's own validation answers the model with what is missing instead of failing the call.
 */
export function parseToolArguments(value: unknown): Record<string, unknown> {
  let candidate = value;
  if (typeof value === "string") {
    try {
      candidate = value.trim() === "" ? {} : JSON.parse(value);
    } catch {
      return {};
    }
  }
  const parsed = argumentsSchema.safeParse(candidate);
  return parsed.success ? parsed.data : {};
}
