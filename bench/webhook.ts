/**
 * Webhook ingest: signed GitHub `issues.opened` deliveries (`POST /api/webhooks/github/{repositoryId}`,
 * `X-Hub-Signature-256` HMAC-SHA256 with the repository's secret from `POST /api/v1/repositories`,
 * payload from @octokit/webhooks-examples with a new issue number per delivery) per second, with 20 %
 * redeliveries of earlier deliveries (same `X-GitHub-Delivery`, same body) that idempotency must turn
 * into `duplicate`. Beside the trivial handler (`GET /api/v1/tasks` without a session → 401) in the
 * same run. Afterwards the database is checked: one task per accepted delivery, none per duplicate.
 *
 * Server: production build via `scripts/start.ts`; accepted deliveries send `squad/task.assigned` to an
 * accept-only local executor (stored, no workflow runs). `tsx bench/webhook.ts [--quick]`
 */
import { createHmac, randomUUID } from "node:crypto";
import { createRequire } from "node:module";
import postgres from "postgres";
import { BACKEND_LABEL, backends, isMain, machine, QUICK, watchdog, writeResult, type Backend } from "./lib/common";
import { load, type LoadResult } from "./lib/load";
import { startProductionServer } from "./lib/server";
import { mib, ms, num, printTable, ratio } from "./lib/stats";

const NAME = "webhook";
const CONNECTIONS = QUICK ? [10] : [10, 50];
const DURATION_S = QUICK ? 3 : 5;
const REDELIVERY_SHARE = 0.2;

type IssueExample = { action?: string; issue?: { number: number; title: string } };
const require = createRequire(import.meta.url);
const examples = require("@octokit/webhooks-examples") as { name: string; examples: IssueExample[] }[];
const opened = examples.find((e) => e.name === "issues")?.examples.find((e) => e.action === "opened");
if (!opened) throw new Error("@octokit/webhooks-examples has no issues.opened example");
const template: IssueExample = opened;

export type WebhookRun = {
  connections: number;
  ingest: LoadResult;
  outcomes: Record<string, number>;
  /** Deliveries sent for the first time, and redeliveries among all requests. */
  uniqueSent: number;
  redeliveriesSent: number;
  acceptedPerSecond: number;
  trivial: LoadResult;
  nextPeakRss: number;
  startPeakRss: number;
};
export type BackendResult = {
  backend: Backend;
  label: string;
  runs: WebhookRun[];
  /**
   * After all runs: one task per accepted delivery row and no issue with two tasks. (`acceptedResponses`
   * can trail `githubTasks` by the requests still in flight when autocannon stopped.)
   */
  check: {
    deliveriesStored: number;
    acceptedDeliveries: number;
    githubTasks: number;
    issuesWithTwoTasks: number;
    acceptedResponses: number;
    idempotent: boolean;
  };
};

/** Deterministic PRNG (mulberry32), so every run sends the same mix. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Delivery = { id: string; body: string; signature: string };

function deliveries(secret: string, firstIssue: number, seed: number) {
  const random = rng(seed);
  const sent: Delivery[] = [];
  let issue = firstIssue;
  let unique = 0;
  let redeliveries = 0;
  const make = (): Delivery => {
    issue += 1;
    const payload = { ...template, issue: { ...template.issue, number: issue, title: `Bench issue ${issue}` } };
    const body = JSON.stringify(payload);
    const signature = `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
    return { id: randomUUID(), body, signature };
  };
  return {
    next(): { body: string; headers: Record<string, string> } {
      let d: Delivery;
      if (sent.length > 0 && random() < REDELIVERY_SHARE) {
        d = sent[Math.floor(random() * sent.length)] as Delivery;
        redeliveries += 1;
      } else {
        d = make();
        sent.push(d);
        unique += 1;
      }
      return {
        body: d.body,
        headers: {
          "content-type": "application/json",
          "x-github-event": "issues",
          "x-github-delivery": d.id,
          "x-hub-signature-256": d.signature,
          "user-agent": "GitHub-Hookshot/bench",
        },
      };
    },
    counts: () => ({ unique, redeliveries }),
  };
}

async function onBackend(backend: Backend): Promise<BackendResult> {
  const server = await startProductionServer(backend);
  try {
    const cookie = await server.signUp("Bench webhooks");
    const res = await fetch(`${server.url}/api/v1/repositories`, {
      method: "POST",
      headers: { cookie, "content-type": "application/json" },
      body: JSON.stringify({ name: "bench-hello-world", githubFullName: "Codertocat/Hello-World" }),
    });
    if (res.status !== 201) throw new Error(`POST /api/v1/repositories → ${res.status} ${await res.text()}`);
    const repo = (await res.json()) as { id: string; webhookSecret: string };
    const url = `${server.url}/api/webhooks/github/${repo.id}`;
    let acceptedResponses = 0;

    const ingest = async (connections: number, durationS: number, firstIssue: number, seed: number) => {
      const gen = deliveries(repo.webhookSecret, firstIssue, seed);
      const outcomes: Record<string, number> = {};
      const result = await load({
        url,
        connections,
        durationS,
        method: "POST",
        expect: [202],
        next: gen.next,
        onResponse: (status, body) => {
          let outcome = `HTTP ${status}`;
          if (status === 202) {
            try {
              outcome = String((JSON.parse(body) as { outcome?: string }).outcome);
            } catch {
              outcome = "unreadable";
            }
          }
          outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
        },
      });
      acceptedResponses += outcomes.accepted ?? 0;
      return { result, outcomes, ...gen.counts() };
    };

    // Warm-up (not recorded).
    await ingest(10, 1, 1_000_000, 1);
    await load({ url: `${server.url}/api/v1/tasks`, connections: 10, durationS: 1, expect: [401] });

    const runs: WebhookRun[] = [];
    for (const [i, connections] of CONNECTIONS.entries()) {
      const trivial = await load({ url: `${server.url}/api/v1/tasks`, connections, durationS: DURATION_S, expect: [401] });
      const stopWatch = server.watchMemory();
      const r = await ingest(connections, DURATION_S, (i + 2) * 1_000_000, 7 + i);
      const mem = stopWatch();
      runs.push({
        connections,
        ingest: r.result,
        outcomes: r.outcomes,
        uniqueSent: r.unique,
        redeliveriesSent: r.redeliveries,
        acceptedPerSecond: (r.outcomes.accepted ?? 0) / r.result.durationS,
        trivial,
        ...mem,
      });
      console.log(
        `[webhook] ${backend} c=${connections}: ${num(r.result.requestsPerSecond, 0)} deliveries/s, p95 ${ms(r.result.latencyMs.p95)} ms, ` +
          `outcomes ${JSON.stringify(r.outcomes)}`,
      );
    }

    const sql = postgres(server.databaseUrl, { max: 1, prepare: false, onnotice: () => {} });
    try {
      // Requests still in flight when autocannon stopped finish after it: wait until the counts settle,
      // then read them in one statement (one snapshot).
      type Counts = { deliveries: number; accepted: number; tasks: number; twice: number };
      const read = async () => {
        const [row] = await sql<Counts[]>`
          select
            (select count(*) from webhook_deliveries)::int as deliveries,
            (select count(*) from webhook_deliveries where status = 'accepted' and task_id is not null)::int as accepted,
            (select count(*) from tasks where source = 'github')::int as tasks,
            (select count(*) from (select external_ref from tasks where source = 'github'
                                   group by external_ref having count(*) > 1) x)::int as twice`;
        if (!row) throw new Error("no counts");
        return row;
      };
      let counts = await read();
      for (let i = 0; i < 30; i++) {
        await new Promise((r) => setTimeout(r, 500));
        const again = await read();
        const settled = JSON.stringify(again) === JSON.stringify(counts);
        counts = again;
        if (settled) break;
      }
      const check = {
        deliveriesStored: counts.deliveries,
        acceptedDeliveries: counts.accepted,
        githubTasks: counts.tasks,
        issuesWithTwoTasks: counts.twice,
        acceptedResponses,
      };
      return {
        backend,
        label: BACKEND_LABEL[backend],
        runs,
        check: { ...check, idempotent: check.githubTasks === check.acceptedDeliveries && check.issuesWithTwoTasks === 0 },
      };
    } finally {
      await sql.end({ timeout: 5 });
    }
  } finally {
    await server.stop();
  }
}

export async function main(): Promise<void> {
  watchdog(9 * 60_000, "webhook benchmark");
  const started = Date.now();
  const results: BackendResult[] = [];
  for (const backend of await backends()) results.push(await onBackend(backend));

  const rows: string[][] = [];
  for (const r of results) {
    for (const run of r.runs) {
      const o = run.outcomes;
      rows.push([
        r.label,
        String(run.connections),
        num(run.ingest.requestsPerSecond, 0),
        num(run.acceptedPerSecond, 0),
        `${o.accepted ?? 0} / ${o.duplicate ?? 0} / ${o.ignored ?? 0}`,
        `${run.redeliveriesSent} of ${run.uniqueSent + run.redeliveriesSent}`,
        `${ms(run.ingest.latencyMs.p50)} / ${ms(run.ingest.latencyMs.p95)} / ${ms(run.ingest.latencyMs.p99)}`,
        String(run.ingest.errors),
        `${num(run.trivial.requestsPerSecond, 0)} req/s, p95 ${ms(run.trivial.latencyMs.p95)}`,
        ratio(run.trivial.requestsPerSecond, run.ingest.requestsPerSecond),
        mib(run.nextPeakRss),
        r.check.idempotent ? "yes" : "NO",
      ]);
    }
  }
  printTable(
    `Webhook ingest — signed GitHub issues.opened, ${Math.round(REDELIVERY_SHARE * 100)} % redeliveries, autocannon ${DURATION_S} s per row, next start`,
    [
      "database",
      "conns",
      "deliveries/s",
      "new tasks/s",
      "accepted / duplicate / ignored",
      "redeliveries sent",
      "p50 / p95 / p99 ms",
      "errors",
      "trivial (same run)",
      "trivial ÷ ingest (req/s)",
      "next-server peak RSS",
      "1 task per delivery",
    ],
    rows,
  );
  const file = writeResult(NAME, {
    benchmark: NAME,
    generatedAt: new Date().toISOString(),
    durationMs: Date.now() - started,
    machine: await machine(),
    quick: QUICK,
    method:
      "Production build via scripts/start.ts; autocannon in the bench process builds each request (new delivery, or with probability 0.2 a " +
      "redelivery of an earlier one: same X-GitHub-Delivery and body), signed with HMAC-SHA256. Outcomes read from each 202 body. " +
      "Accepted deliveries send squad/task.assigned to an accept-only local executor (stored, no runs).",
    results,
  });
  console.log(`[webhook] wrote ${file} in ${Math.round((Date.now() - started) / 1000)} s`);
}

if (isMain(import.meta.url)) {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
