import type { ComponentProps } from "react";
import { cn } from "./cn";

/** A native select styled like {@link Input} (keyboard and screen readers work as the platform's). */
export function Select({ className, ...props }: ComponentProps<"select">) {
  return (
    <select
      className={cn(
        "block h-10 w-full rounded-md border-0 bg-white px-3 py-2 text-sm text-zinc-900 shadow-sm ring-1 ring-inset ring-zinc-300 focus:outline-none focus:ring-2 focus:ring-inset focus:ring-indigo-600 aria-invalid:ring-red-500 disabled:bg-zinc-50 disabled:text-zinc-500",
        className,
      )}
      {...props}
    />
  );
}
