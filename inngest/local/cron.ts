/**
 * Cron triggers as Inngest accepts them: five fields (minute hour day-of-month month day-of-week),
 * optionally prefixed by a time zone (`TZ=Europe/Paris 0 9 * * *`, or `CRON_TZ=…`), evaluated in
 * UTC when there is no prefix. Inngest validates with robfig/cron's parser for exactly those five
 * fields, so a seconds field and `@daily`-style descriptors are rejected here too, as are the
 * cron-parser extensions robfig does not know (`L`, `W`, `#`, `H`).
 *
 * Next fire times are computed with `cron-parser`.
 */
import { CronExpressionParser } from "cron-parser";

/** A cron trigger, parsed. */
export type CronSpec = {
  /** The trigger exactly as registered (the `cron` string sent to functions in `event.data.cron`). */
  cron: string;
  /** The five schedule fields without the time zone prefix. */
  expression: string;
  /** IANA time zone, or `UTC`. */
  tz: string;
};

const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
/** Characters robfig/cron understands in a field (after month/day names are taken out). */
const FIELD = /^[0-9*/,?-]+$/;

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/**
 * Parses and validates a cron trigger.
 * @returns the parsed spec, or a message saying what is wrong (for the sync answer)
 */
export function parseCron(cron: string): { ok: true; spec: CronSpec } | { ok: false; error: string } {
  let text = cron.trim();
  let tz = "UTC";
  const prefix = /^(?:CRON_TZ|TZ)=(\S+)\s+/.exec(text);
  if (prefix?.[1]) {
    tz = prefix[1];
    text = text.slice(prefix[0].length).trim();
    if (!isTimeZone(tz)) return { ok: false, error: `unknown time zone "${tz}"` };
  }
  const fields = text.split(/\s+/).filter(Boolean);
  if (fields.length !== 5) {
    return {
      ok: false,
      error:
        `expected 5 fields (minute hour day-of-month month day-of-week), got ${fields.length}` +
        (fields[0]?.startsWith("@") ? "; descriptors such as @daily are not accepted by Inngest" : "") +
        (fields.length === 6 ? "; Inngest has no seconds field" : ""),
    };
  }
  for (const [index, field] of fields.entries()) {
    let rest = field.toUpperCase();
    const names = index === 3 ? MONTHS : index === 4 ? DAYS : [];
    for (const name of names) rest = rest.replaceAll(name, "0");
    if (!FIELD.test(rest)) return { ok: false, error: `field ${index + 1} ("${field}") uses syntax Inngest does not accept` };
  }
  const expression = fields.join(" ");
  try {
    CronExpressionParser.parse(expression, { tz, currentDate: new Date(0) }).next();
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
  return { ok: true, spec: { cron, expression, tz } };
}

/**
 * The first fire time strictly after `afterMs`.
 * @param afterMs epoch milliseconds
 * @returns epoch milliseconds
 * @throws Error when the spec is invalid (it was validated at sync, so this does not happen)
 */
export function nextFireAfter(spec: CronSpec, afterMs: number): number {
  return CronExpressionParser.parse(spec.expression, { tz: spec.tz, currentDate: new Date(afterMs) }).next().getTime();
}
