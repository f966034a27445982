import { Inngest } from "inngest";
import { ObservabilityMiddleware } from "@/lib/observability/inngest-middleware";
import { componentLogger } from "@/lib/observability/logger";

/**
 * The one Inngest client. In the embedded default `INNGEST_DEV` points it at the local executor
 * (`inngest/local`); in production it uses Inngest Cloud or self-hosted Inngest through
 * `INNGEST_EVENT_KEY` / `INNGEST_SIGNING_KEY` (the SDK reads these from the environment).
 */
export const inngest = new Inngest({
  id: "squadron",
  // Step and run durations, step spans in the run's trace, run/task ids on every log line.
  middleware: [ObservabilityMiddleware],
  // The SDK's own messages and functions' `logger` as structured JSON lines.
  logger: componentLogger("inngest"),
});
