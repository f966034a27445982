"use client";

import { useEffect, useState, useSyncExternalStore } from "react";
import { formatDateTime, formatDuration } from "@/components/tasks/format";

const noop = () => () => {};

/** False during server rendering and hydration, true afterwards (no hydration mismatch). */
export function useHydrated(): boolean {
  return useSyncExternalStore(
    noop,
    () => true,
    () => false,
  );
}

const utc = new Intl.DateTimeFormat("en-US", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });

/**
 * An instant in the reader's time zone and locale. The server (which knows neither) renders it in
 * UTC; the browser switches to local time after hydration.
 */
export function LocalTime({ iso, className }: { iso: string; className?: string }) {
  const hydrated = useHydrated();
  const date = new Date(iso);
  const text = hydrated ? formatDateTime(iso) : Number.isNaN(date.getTime()) ? iso : `${utc.format(date)} UTC`;
  return (
    <time dateTime={iso} className={className}>
      {text}
    </time>
  );
}

/** Time from `from` to `to`, or to now (ticking every second) while `to` is unset. */
export function Elapsed({ from, to }: { from: string; to?: string | null }) {
  const hydrated = useHydrated();
  const [, setTick] = useState(0);
  useEffect(() => {
    if (to) return;
    const timer = setInterval(() => setTick((n) => n + 1), 1_000);
    return () => clearInterval(timer);
  }, [to]);
  if (!to && !hydrated) return null;
  return <>{formatDuration(from, to)}</>;
}
