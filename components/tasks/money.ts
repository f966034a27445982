import { z } from "zod";

/** `$1.25` from USD micros (1 USD = 1,000,000 micros); 4 decimals below one cent. */
export function formatUsdMicros(micros: number): string {
  const usd = micros / 1_000_000;
  return `$${usd !== 0 && Math.abs(usd) < 0.01 ? usd.toFixed(4) : usd.toFixed(2)}`;
}

/** USD micros of a decimal amount typed by a person (`"2.5"` → 2,500,000), rounded to the micro. */
export function parseUsdToMicros(usd: string): number {
  return Math.round(Number(usd.trim()) * 1_000_000);
}

/**
 * An optional amount in USD as typed into a form: empty, or a positive number with at most six
 * decimals, below 10 million USD. `what` names the field in the message.
 */
export function usdAmountSchema(what: string) {
  return z
    .string()
    .trim()
    .refine((v) => v === "" || (/^\d+(\.\d{1,6})?$/.test(v) && Number(v) > 0 && Number(v) < 10_000_000), {
      message: `${what} must be a positive amount in USD, e.g. 2.50`,
    });
}
