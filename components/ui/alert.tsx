import type { ComponentProps, ReactNode } from "react";
import { cn } from "./cn";

/** An error or notice box. `tone="error"` is announced immediately (`role="alert"`). */
export function Alert({
  tone = "error",
  title,
  children,
  className,
  ...props
}: Omit<ComponentProps<"div">, "title"> & { tone?: "error" | "info"; title?: ReactNode }) {
  return (
    <div
      role={tone === "error" ? "alert" : "status"}
      className={cn(
        "rounded-md px-3 py-2 text-sm ring-1 ring-inset",
        tone === "error" ? "bg-red-50 text-red-800 ring-red-200" : "bg-sky-50 text-sky-800 ring-sky-200",
        className,
      )}
      {...props}
    >
      {title ? <p className="font-medium">{title}</p> : null}
      {children ? <div className={title ? "mt-1" : undefined}>{children}</div> : null}
    </div>
  );
}
