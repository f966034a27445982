/**
 * Next.js instrumentation hook: runs once when a server instance starts (Next 15+: no config flag).
 * With `OTEL_EXPORTER_OTLP_ENDPOINT` set, registers the OpenTelemetry tracer provider of
 * `lib/observability/tracing.ts` (OTLP/HTTP export), so Next's own spans and Squadron's (API requests,
 * workflow steps, model calls) are exported. Node.js runtime only: the SDK needs Node APIs, and the
 * edge runtime (`proxy.ts`) runs no Squadron code worth tracing.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { env } = await import("./lib/env");
  if (!env.OTEL_EXPORTER_OTLP_ENDPOINT) return;
  const { registerTracing } = await import("./lib/observability/tracing");
  registerTracing();
}
