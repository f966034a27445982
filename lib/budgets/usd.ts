/** USD from micros (1 USD = 1,000,000 micros) for messages: `$0.25`, `$0.0042` for small amounts. */
export function formatUsd(micros: number): string {
  const usd = micros / 1_000_000;
  return `$${usd !== 0 && Math.abs(usd) < 0.01 ? usd.toFixed(4) : usd.toFixed(2)}`;
}

/** Start of the calendar month (UTC) that `now` is in: the window of monthly budgets. */
export function monthStart(now: Date = new Date()): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
}
