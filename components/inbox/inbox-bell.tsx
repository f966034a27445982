"use client";

import Link from "next/link";
import { useEffect, useState } from "react";

/** How often the bell re-counts, in ms. */
const REFRESH_MS = 15_000;

/**
 * The header's bell: how many things need a person (pending approvals, budget and stuck pauses,
 * failed runs), linking to the inbox. `count` re-reads the number (a server action, under RLS).
 */
export function InboxBell({ initialCount, count }: { initialCount: number; count: () => Promise<number> }) {
  const [n, setN] = useState(initialCount);
  useEffect(() => {
    const timer = setInterval(() => {
      count().then(setN, () => undefined);
    }, REFRESH_MS);
    return () => clearInterval(timer);
  }, [count]);
  return (
    <Link
      href="/inbox"
      className="relative inline-flex size-9 items-center justify-center rounded-md text-zinc-700 hover:bg-zinc-100 hover:text-zinc-900"
      aria-label={n > 0 ? `Inbox: ${n} item${n === 1 ? "" : "s"} need you` : "Inbox: nothing needs you"}
      data-testid="inbox-bell"
      data-count={n}
    >
      <svg aria-hidden="true" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="1.8" className="size-5">
        <path d="M6 8a6 6 0 1 1 12 0c0 7 3 9 3 9H3s3-2 3-9" strokeLinecap="round" strokeLinejoin="round" />
        <path d="M10.3 21a1.94 1.94 0 0 0 3.4 0" strokeLinecap="round" strokeLinejoin="round" />
      </svg>
      {n > 0 ? (
        <span aria-hidden="true" className="absolute -right-0.5 -top-0.5 min-w-4 rounded-full bg-red-700 px-1 text-center text-[10px] font-semibold leading-4 text-white">
          {n > 99 ? "99+" : n}
        </span>
      ) : null}
    </Link>
  );
}
