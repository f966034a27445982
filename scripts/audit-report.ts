// `tsx scripts/audit-report.ts`: a report of `npm audit --omit=dev` (production dependencies only).
// Prints every high or critical advisory and whether security/audit-accepted.json explains it (each
// accepted advisory has a reason there). Always exits 0: it is a report (a CI step in scripts/test.ts
// that never fails or counts towards the run), not a gate. When the registry does not serve the audit
// endpoint (e.g. a mirror), it prints "npm audit unavailable: <reason>".
//
//   --json-file <path>   read a saved `npm audit --json` output instead of running npm (for checking
//                        the report itself, or auditing offline from a copy made elsewhere)
//   AUDIT_ACCEPTED_FILE  another allow-list than security/audit-accepted.json
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";

const AUDIT_TIMEOUT_MS = 45_000;
const ACCEPTED_FILE = path.resolve(process.env.AUDIT_ACCEPTED_FILE || "security/audit-accepted.json");

const acceptedSchema = z.object({
  accepted: z.array(
    z.object({
      /** GHSA id (from the advisory URL) or npm's numeric advisory id. */
      id: z.string().min(1),
      package: z.string().min(1),
      reason: z.string().min(10),
      reviewed: z.string().optional(),
    }),
  ),
});

const advisorySchema = z.object({
  source: z.union([z.number(), z.string()]).optional(),
  name: z.string(),
  title: z.string().optional(),
  url: z.string().optional(),
  severity: z.string(),
  range: z.string().optional(),
});
const auditSchema = z.object({
  vulnerabilities: z.record(
    z.string(),
    z.object({ name: z.string(), severity: z.string(), via: z.array(z.union([z.string(), advisorySchema])), fixAvailable: z.unknown().optional() }),
  ),
  metadata: z.object({ vulnerabilities: z.record(z.string(), z.number()) }).optional(),
});

interface Finding {
  id: string;
  package: string;
  severity: string;
  title: string;
  url: string;
}

function advisoryId(a: z.infer<typeof advisorySchema>): string {
  const ghsa = a.url ? /GHSA-[\w-]+/i.exec(a.url)?.[0] : undefined;
  return ghsa ?? String(a.source ?? a.url ?? a.title ?? "unknown");
}

/** High and critical advisories in an `npm audit --json` (v2) result, one per advisory id. */
export function highFindings(audit: z.infer<typeof auditSchema>): Finding[] {
  const byId = new Map<string, Finding>();
  for (const vuln of Object.values(audit.vulnerabilities)) {
    for (const via of vuln.via) {
      if (typeof via === "string") continue; // a transitive pointer; the advisory itself is listed under its own package
      if (via.severity !== "high" && via.severity !== "critical") continue;
      const id = advisoryId(via);
      if (!byId.has(id)) byId.set(id, { id, package: via.name, severity: via.severity, title: via.title ?? "", url: via.url ?? "" });
    }
  }
  return [...byId.values()].sort((a, b) => a.package.localeCompare(b.package) || a.id.localeCompare(b.id));
}

function runAudit(): { json?: unknown; unavailable?: string } {
  const r = spawnSync("npm", ["audit", "--omit=dev", "--json"], {
    encoding: "utf8",
    timeout: AUDIT_TIMEOUT_MS,
    killSignal: "SIGKILL",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    return { unavailable: code === "ETIMEDOUT" ? `npm audit did not answer within ${AUDIT_TIMEOUT_MS / 1000} s` : r.error.message };
  }
  let json: unknown;
  try {
    json = JSON.parse(r.stdout);
  } catch {
    return { unavailable: `npm audit printed no JSON (exit ${r.status}): ${(r.stderr || r.stdout).trim().split("\n")[0] ?? ""}` };
  }
  return { json };
}

function main(): void {
  const fileArg = process.argv.indexOf("--json-file");
  let raw: unknown;
  if (fileArg !== -1 && process.argv[fileArg + 1]) {
    raw = JSON.parse(readFileSync(process.argv[fileArg + 1]!, "utf8"));
  } else {
    const result = runAudit();
    if (result.unavailable !== undefined) {
      console.log(`npm audit unavailable: ${result.unavailable}`);
      return;
    }
    raw = result.json;
  }
  // npm prints `{ "message": …, "error": … }` when the registry refuses the bulk advisory endpoint.
  const failure = z.object({ message: z.string() }).safeParse(raw);
  const parsed = auditSchema.safeParse(raw);
  if (!parsed.success) {
    console.log(`npm audit unavailable: ${failure.success ? failure.data.message : "unrecognised npm audit output"}`);
    return;
  }

  const accepted = acceptedSchema.parse(JSON.parse(readFileSync(ACCEPTED_FILE, "utf8"))).accepted;
  const acceptedById = new Map(accepted.map((a) => [a.id.toUpperCase(), a]));
  const findings = highFindings(parsed.data);
  const counts = parsed.data.metadata?.vulnerabilities ?? {};
  console.log(
    `npm audit --omit=dev: ${["critical", "high", "moderate", "low"].map((s) => `${counts[s] ?? 0} ${s}`).join(", ")} (vulnerable packages)`,
  );
  let unexplained = 0;
  for (const f of findings) {
    const a = acceptedById.get(f.id.toUpperCase());
    if (a) console.log(`  accepted   ${f.severity.padEnd(8)} ${f.package} ${f.id} — ${a.reason}`);
    else {
      unexplained += 1;
      console.log(`  UNEXPLAINED ${f.severity.padEnd(8)} ${f.package} ${f.id} ${f.title} ${f.url}`);
    }
  }
  const stale = accepted.filter((a) => !findings.some((f) => f.id.toUpperCase() === a.id.toUpperCase()));
  for (const a of stale) console.log(`  no longer reported (remove from security/audit-accepted.json): ${a.package} ${a.id}`);
  console.log(
    `${findings.length} high/critical advisories, ${findings.length - unexplained} accepted, ${unexplained} unexplained` +
      (unexplained ? " — fix them or add each to security/audit-accepted.json with a reason" : ""),
  );
}

try {
  main();
} catch (error) {
  console.log(`npm audit report failed: ${error instanceof Error ? error.message : String(error)}`);
}
process.exit(0);
