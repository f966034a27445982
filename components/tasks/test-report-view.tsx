import { z } from "zod";
import { Badge } from "@/components/ui/badge";
import type { Artifact } from "./api";

const reportDataSchema = z.object({
  passed: z.boolean(),
  exitCode: z.number().nullish(),
  durationMs: z.number().nullish(),
});

/** The QA engineer's test run: pass/fail, exit code, duration, and the raw output. */
export function TestReportView({ report }: { report: Artifact }) {
  const parsed = reportDataSchema.safeParse(report.data);
  const data = parsed.success ? parsed.data : null;
  return (
    <div className="space-y-3" data-testid="test-report">
      <div className="flex flex-wrap items-center gap-3 text-sm">
        {data ? (
          <Badge tone={data.passed ? "green" : "red"} data-testid="test-report-result" data-passed={String(data.passed)}>
            {data.passed ? "✓ Passed" : "✗ Failed"}
          </Badge>
        ) : (
          <Badge tone="zinc" data-testid="test-report-result">
            Result unknown
          </Badge>
        )}
        {data?.exitCode !== undefined && data.exitCode !== null ? (
          <span className="text-xs text-zinc-500">exit code {data.exitCode}</span>
        ) : null}
        {typeof data?.durationMs === "number" ? (
          <span className="text-xs text-zinc-500">{(data.durationMs / 1000).toFixed(1)}s</span>
        ) : null}
      </div>
      <pre
        className="max-h-96 overflow-auto whitespace-pre-wrap break-words rounded-md bg-zinc-900 p-3 font-mono text-xs leading-5 text-zinc-100"
        data-testid="test-report-output"
        // A scrolling region must be reachable by keyboard (axe scrollable-region-focusable).
        tabIndex={0}
        aria-label="Test output"
      >
        {report.content || "(no output)"}
      </pre>
    </div>
  );
}
