import http from "node:http";
import https from "node:https";
import { guardedLookup, assertPublicUrl } from "./ssrf";

/** What one webhook request produced. `status` null: no response (refused, timed out, DNS, SSRF). */
export type SendResult = { status: number | null; body: string; durationMs: number; error: string | null };

/** Most of a response body kept for the delivery log, in characters. */
const MAX_RESPONSE_BODY = 1000;

/**
 * POSTs `body` to `url` with `headers`, once: no redirects are followed (a 3xx is a failed
 * delivery, so a redirect cannot lead to an internal address), the connection goes through the
 * SSRF-guarded DNS lookup, and the request is abandoned after `timeoutMs`.
 * @returns the status and the first 1,000 characters of the body, or the error in a sentence; never throws
 */
export async function sendWebhookRequest(url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<SendResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    await assertPublicUrl(url);
  } catch (error) {
    return { status: null, body: "", durationMs: elapsed(), error: error instanceof Error ? error.message : String(error) };
  }
  return new Promise<SendResult>((resolve) => {
    const target = new URL(url);
    const client = target.protocol === "https:" ? https : http;
    const req = client.request(
      target,
      {
        method: "POST",
        headers: { "content-type": "application/json", "user-agent": "Squadron-Webhooks/1", ...headers, "content-length": String(Buffer.byteLength(body)) },
        lookup: guardedLookup,
        timeout: timeoutMs,
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          if (text.length < MAX_RESPONSE_BODY) text += chunk;
        });
        res.on("end", () => {
          const status = res.statusCode ?? null;
          const ok = status !== null && status >= 200 && status < 300;
          resolve({
            status,
            body: text.slice(0, MAX_RESPONSE_BODY),
            durationMs: elapsed(),
            error: ok ? null : status !== null && status >= 300 && status < 400 ? `Redirect (${status}) not followed` : `HTTP ${status}`,
          });
        });
        res.on("error", (err) => resolve({ status: res.statusCode ?? null, body: text, durationMs: elapsed(), error: err.message }));
      },
    );
    req.on("timeout", () => req.destroy(new Error(`No response within ${timeoutMs} ms`)));
    req.on("error", (err) => resolve({ status: null, body: "", durationMs: elapsed(), error: err.message }));
    req.end(body);
  });
}
