/**
 * A minimal HTTP client on `node:http`/`node:https`. Unlike global `fetch` (undici), it has no
 * default headers/body timeout, so a step that runs for many minutes (an LLM call) is not cut off.
 */
import http from "node:http";
import https from "node:https";

export type HttpResponse = {
  status: number;
  /** Lower-cased header names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  body: string;
};

export type HttpRequestInit = {
  method: string;
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
  /** Abort when no response has completed after this many ms; 0 or undefined = no limit. */
  timeoutMs?: number;
  /** Refuse bodies larger than this many bytes (default 64 MiB). */
  maxBodyBytes?: number;
};

/**
 * Sends one request and buffers the whole answer.
 * @throws Error on connection failures, aborts (`name === "AbortError"`), timeouts and oversize bodies
 */
export function httpRequest(url: string, init: HttpRequestInit): Promise<HttpResponse> {
  const target = new URL(url);
  const transport = target.protocol === "https:" ? https : http;
  const maxBody = init.maxBodyBytes ?? 64 * 1024 * 1024;
  return new Promise<HttpResponse>((resolve, reject) => {
    if (init.signal?.aborted) {
      reject(abortError());
      return;
    }
    const headers: Record<string, string> = { ...init.headers };
    if (init.body !== undefined) headers["content-length"] = String(Buffer.byteLength(init.body));
    const req = transport.request(target, { method: init.method, headers });
    let timer: NodeJS.Timeout | undefined;
    const onAbort = () => req.destroy(abortError());
    const cleanup = () => {
      if (timer) clearTimeout(timer);
      init.signal?.removeEventListener("abort", onAbort);
    };
    init.signal?.addEventListener("abort", onAbort, { once: true });
    if (init.timeoutMs && init.timeoutMs > 0) {
      timer = setTimeout(() => req.destroy(new Error(`request timed out after ${init.timeoutMs} ms`)), init.timeoutMs);
    }
    req.on("error", (err) => {
      cleanup();
      reject(err);
    });
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBody) {
          req.destroy(new Error(`response body exceeds ${maxBody} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      res.on("error", (err) => {
        cleanup();
        reject(err);
      });
      res.on("end", () => {
        cleanup();
        const out: Record<string, string> = {};
        for (const [key, value] of Object.entries(res.headers)) {
          if (value === undefined) continue;
          out[key.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
        }
        resolve({ status: res.statusCode ?? 0, headers: out, body: Buffer.concat(chunks).toString("utf8") });
      });
    });
    if (init.body !== undefined) req.write(init.body);
    req.end();
  });
}

function abortError(): Error {
  const err = new Error("request aborted");
  err.name = "AbortError";
  return err;
}
