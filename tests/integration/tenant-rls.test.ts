import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { sql as dsql } from "drizzle-orm";
import postgres from "postgres";
import { createDatabase } from "@/db/client";
import { runMigrations } from "@/db/migrate";
import { insertTask } from "@/db/queries/tasks";
import {
  agents,
  approvals,
  artifacts,
  auditEvents,
  billingAccounts,
  billingMeterReports,
  billingRefusals,
  jiraConnections,
  jiraIssueLinks,
  knowledgeChunks,
  knowledgeDocuments,
  knowledgeIndexRuns,
  lessons,
  llmCalls,
  mailOutbox,
  member,
  organization,
  organizationBudgets,
  repositories,
  squads,
  taskDependencies,
  taskEvents,
  tasks,
  user,
  webhookDeliveries,
  githubConnections,
  taskDeliveries,
  outboundWebhookDeliveries,
  outboundWebhookEndpoints,
  outboundWebhookEvents,
  squadMcpServers,
} from "@/db/schema";
import { TENANT_ROLE, TENANT_SETTING, withTenant } from "@/db/tenant";
import { createTestDatabase, type TestDatabase } from "../fixtures/database";

/** Every table row-level security guards, and what tenant code may do there. */
const DOMAIN_TABLES = [
  "agents",
  "approvals",
  "artifacts",
  "audit_events",
  "billing_accounts",
  "billing_meter_reports",
  "billing_refusals",
  "github_connections",
  "jira_connections",
  "jira_issue_links",
  "knowledge_chunks",
  "knowledge_documents",
  "knowledge_index_runs",
  "lessons",
  "llm_calls",
  "mail_outbox",
  "organization_budgets",
  "outbound_webhook_deliveries",
  "outbound_webhook_endpoints",
  "outbound_webhook_events",
  "repositories",
  "squad_mcp_servers",
  "squads",
  "task_deliveries",
  "task_dependencies",
  "task_events",
  "tasks",
  "webhook_deliveries",
];
/** better-auth's tables tenant code may read (own organization, its members). */
const READ_ONLY_TABLES = ["member", "organization", "user"];
/** Tables with organization_id that tenant code has no grant on at all (better-auth's own). */
const NO_GRANT_TABLES = ["invitation"];

type Handle = ReturnType<typeof createDatabase>;

/** One row in every RLS table for the organization, written as the owner (the way the app writes today). */
async function seedOrganization(db: Handle["db"], org: string): Promise<{ taskId: string }> {
  await db.insert(organization).values({ id: org, name: org, slug: org });
  await db.insert(user).values({ id: `${org}_user`, name: `${org} user`, email: `${org}@example.test` });
  await db.insert(member).values({ id: `${org}_member`, organizationId: org, userId: `${org}_user`, role: "owner" });
  const [repository] = await db
    .insert(repositories)
    .values({ organizationId: org, name: `${org} repo`, localPath: "/nowhere", webhookSecretEncrypted: "(not used here)" })
    .returning();
  const [squad] = await db.insert(squads).values({ organizationId: org, name: "Default squad", repositoryId: repository.id }).returning();
  await db.insert(agents).values({ organizationId: org, squadId: squad.id, role: "developer", name: "Developer" });
  const [squadId, repositoryId] = [squad.id, repository.id];
  const parent = await insertTask(db, { organizationId: org, squadId, repositoryId, title: `${org} task`, source: "api" });
  const a = await insertTask(db, { organizationId: org, squadId, parentTaskId: parent.id, title: "a", source: "api", planKey: "a" });
  const b = await insertTask(db, { organizationId: org, squadId, parentTaskId: parent.id, title: "b", source: "api", planKey: "b" });
  await db.insert(taskDependencies).values({ organizationId: org, taskId: b.id, dependsOnTaskId: a.id });
  await db.insert(taskEvents).values({ organizationId: org, taskId: parent.id, type: "status", actor: "system", message: "queued" });
  await db.insert(artifacts).values({ organizationId: org, taskId: parent.id, kind: "plan", title: "Plan", content: "-" });
  await db.insert(approvals).values({ organizationId: org, taskId: parent.id, kind: "plan", reason: "policy" });
  await db.insert(llmCalls).values({
    organizationId: org,
    taskId: parent.id,
    runId: `${org}_run`,
    stepId: "s",
    agentRole: "developer",
    provider: "offline",
    model: "m",
    inputTokens: 1,
    outputTokens: 1,
    costUsdMicros: 0,
    latencyMs: 1,
  });
  await db.insert(organizationBudgets).values({ organizationId: org, monthlyBudgetUsdMicros: 1 });
  await db.insert(webhookDeliveries).values({
    organizationId: org,
    repositoryId,
    provider: "github",
    deliveryId: `${org}_delivery`,
    event: "ping",
    status: "ignored",
  });
  await db.insert(auditEvents).values({ organizationId: org, action: "squad.updated", targetType: "squad", targetId: squadId });
  await db.insert(mailOutbox).values({ organizationId: org, to: "x@example.test", subject: "s", text: "t" });
  await db.insert(billingAccounts).values({ organizationId: org, stripeCustomerId: `cus_${org}`, plan: "team", status: "active" });
  await db.insert(billingMeterReports).values({
    organizationId: org,
    periodStart: new Date(0),
    identifier: `${org}:0:1`,
    valueUsdMicros: 1,
    cumulativeUsdMicros: 1,
    stripeCustomerId: `cus_${org}`,
  });
  await db.insert(billingRefusals).values({ organizationId: org, taskId: parent.id, code: "quota_exceeded", reason: "over quota" });
  const [jira] = await db
    .insert(jiraConnections)
    .values({
      organizationId: org,
      siteUrl: `https://${org}.atlassian.net`,
      accountEmail: `${org}@example.test`,
      apiTokenEncrypted: "(not used here)",
      webhookSecretEncrypted: "(not used here)",
      trigger: { kind: "label", label: "squad" },
      statusMapping: { started: null, inReview: null, done: null, failed: null },
    })
    .returning();
  await db.insert(jiraIssueLinks).values({ organizationId: org, connectionId: jira.id, taskId: parent.id, kind: "issue", issueKey: "PROJ-1" });
  await db.insert(githubConnections).values({ organizationId: org, kind: "token", repositoryFullName: `${org}/repo`, tokenEncrypted: "(not used here)" });
  await db.insert(taskDeliveries).values({ organizationId: org, taskId: parent.id, channel: "github", status: "delivered", externalId: "1" });
  await db.insert(lessons).values({ organizationId: org, repositoryId, statement: "Name columns in snake_case.", sourceKind: "approval_rejected", sourceId: `${org}_approval`, distilledBy: "rules" });
  await db.insert(knowledgeDocuments).values({ organizationId: org, title: "Style guide", format: "markdown", content: "# Style", sizeBytes: 7 });
  await db.insert(knowledgeChunks).values({ organizationId: org, repositoryId, source: "code", sourceId: "a.ts", path: "a.ts", startLine: 1, endLine: 1, language: "typescript", content: "x" });
  await db.insert(knowledgeIndexRuns).values({ organizationId: org, repositoryId, status: "indexed" });
  const [endpoint] = await db
    .insert(outboundWebhookEndpoints)
    .values({ organizationId: org, url: `https://${org}.example.test/hook`, eventTypes: ["task.completed"], secretEncrypted: "(not used here)" })
    .returning();
  const [event] = await db.insert(outboundWebhookEvents).values({ organizationId: org, type: "task.completed", data: { taskId: parent.id } }).returning();
  await db.insert(outboundWebhookDeliveries).values({ organizationId: org, endpointId: endpoint.id, eventId: event.id, runKey: `${org}_run`, attempt: 1, status: "succeeded", responseStatus: 200, durationMs: 1 });
  await db.insert(squadMcpServers).values({ organizationId: org, squadId: squad.id, name: "tools", transport: "http", url: `https://${org}.example.test/mcp`, headersEncrypted: "(not used here)", headerNames: ["Authorization"] });
  return { taskId: parent.id };
}

const kinds: ("pglite" | "postgres")[] = process.env.TEST_DATABASE_URL ? ["pglite", "postgres"] : ["pglite"];
if (!process.env.TEST_DATABASE_URL) {
  test.skip("TEST_DATABASE_URL is not set: the PostgreSQL server variant is skipped", () => {});
}

describe.each(kinds)("tenant row-level security on %s", (kind) => {
  let database: TestDatabase;
  let handle: Handle;
  /** A single raw connection, so settings left behind by one transaction would show in the next. */
  let raw: postgres.Sql;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    await runMigrations(database.url);
    handle = createDatabase(database.url, { max: 1 });
    raw = postgres(database.url, { max: 1, prepare: false, onnotice: () => {} });
    await seedOrganization(handle.db, "org_a");
    await seedOrganization(handle.db, "org_b");
  }, 120_000);

  afterAll(async () => {
    await raw?.end({ timeout: 5 });
    await handle?.sql.end({ timeout: 5 });
    await database?.stop();
  });

  /** Runs `fn` as squadron_tenant in a transaction that is rolled back, with the organization set when given. */
  async function asTenant<T>(organizationId: string | null, fn: (tx: postgres.TransactionSql) => Promise<T>): Promise<T> {
    let result: T | undefined;
    const rollback = new Error("rollback");
    try {
      await raw.begin(async (tx) => {
        if (organizationId !== null) await tx`select set_config(${TENANT_SETTING}, ${organizationId}, true)`;
        await tx.unsafe(`set local role ${TENANT_ROLE}`);
        result = await fn(tx);
        throw rollback;
      });
    } catch (error) {
      if (error !== rollback) throw error;
    }
    return result as T;
  }

  async function count(tx: postgres.Sql | postgres.TransactionSql, table: string, where = "true"): Promise<number> {
    const [row] = await tx.unsafe(`select count(*)::int as n from "${table}" where ${where}`);
    return row.n as number;
  }

  test("every table with organization_id has row-level security and a tenant_isolation policy", async () => {
    const withColumn = await raw`
      select table_name from information_schema.columns
      where table_schema = 'public' and column_name = 'organization_id' order by table_name`;
    const rls = await raw`
      select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind = 'r' and c.relrowsecurity order by c.relname`;
    const policies = await raw`select tablename from pg_policies where schemaname = 'public' and policyname = 'tenant_isolation'`;
    const guarded = rls.map((r) => r.relname as string);
    expect(guarded.sort()).toEqual([...DOMAIN_TABLES, ...READ_ONLY_TABLES].sort());
    expect(policies.map((r) => r.tablename as string).sort()).toEqual(guarded);
    expect(withColumn.map((r) => r.table_name as string).sort()).toEqual(
      [...DOMAIN_TABLES, ...NO_GRANT_TABLES, "member"].sort(),
    );
  });

  test("RLS: a raw query without the organization set returns no rows", async () => {
    // The owner sees both organizations' rows…
    for (const table of [...DOMAIN_TABLES, ...READ_ONLY_TABLES]) {
      expect({ table, atLeastTwo: (await count(raw, table)) >= 2 }).toEqual({ table, atLeastTwo: true });
    }
    // …squadron_tenant with no organization set sees none of them.
    const seen = await asTenant(null, async (tx) => {
      const counts: Record<string, number> = {};
      for (const table of [...DOMAIN_TABLES, ...READ_ONLY_TABLES]) counts[table] = await count(tx, table);
      const rows = await tx`select * from tasks`;
      return { counts, tasks: rows.length };
    });
    expect(seen.tasks).toBe(0);
    expect(seen.counts).toEqual(Object.fromEntries([...DOMAIN_TABLES, ...READ_ONLY_TABLES].map((t) => [t, 0])));
    // Nor with an empty setting (what a finished `set_config(…, true)` leaves on the connection).
    expect(await asTenant("", (tx) => count(tx, "tasks"))).toBe(0);
  });

  test("with organization A set, every table shows exactly A's rows", async () => {
    const expected: Record<string, number> = {};
    for (const table of DOMAIN_TABLES) expected[table] = await count(raw, table, "organization_id = 'org_a'");
    expected.organization = 1;
    expected.member = 1;
    expected.user = 1;
    const seen = await asTenant("org_a", async (tx) => {
      const counts: Record<string, number> = {};
      for (const table of [...DOMAIN_TABLES, ...READ_ONLY_TABLES]) counts[table] = await count(tx, table);
      const orgs = await tx`select distinct organization_id from tasks`;
      const users = await tx`select id from "user"`;
      return { counts, orgs: orgs.map((r) => r.organization_id), users: users.map((r) => r.id) };
    });
    expect(seen.counts).toEqual(expected);
    expect(seen.counts.tasks).toBe(3);
    expect(seen.orgs).toEqual(["org_a"]);
    expect(seen.users).toEqual(["org_a_user"]);
  });

  test("writes for another organization fail the policy's WITH CHECK; other tables are off limits", async () => {
    const [squadB] = await raw`select id from squads where organization_id = 'org_b'`;
    const insertB = asTenant("org_a", (tx) =>
      tx`insert into tasks (organization_id, squad_id, title, source) values ('org_b', ${squadB.id}, 'smuggled', 'api')`,
    );
    await expect(insertB).rejects.toMatchObject({ code: "42501", message: expect.stringMatching(/row-level security/) });
    const moveToB = asTenant("org_a", (tx) => tx`update tasks set organization_id = 'org_b'`);
    await expect(moveToB).rejects.toMatchObject({ code: "42501" });
    // B's rows are invisible to updates and deletes, so nothing happens to them.
    const touched = await asTenant("org_a", async (tx) => {
      const updated = await tx`update tasks set title = 'x' where organization_id = 'org_b'`;
      const deleted = await tx`delete from mail_outbox where organization_id = 'org_b'`;
      return updated.count + deleted.count;
    });
    expect(touched).toBe(0);
    await expect(asTenant("org_a", (tx) => tx`select * from session`)).rejects.toMatchObject({ code: "42501" });
    await expect(asTenant("org_a", (tx) => tx`update organization set name = 'x'`)).rejects.toMatchObject({ code: "42501" });
    expect(await count(raw, "tasks", "title = 'smuggled'")).toBe(0);
  });

  test("withTenant confines drizzle queries to the organization and leaves the connection as it was", async () => {
    const all = await handle.db.select({ org: tasks.organizationId }).from(tasks);
    expect(new Set(all.map((r) => r.org))).toEqual(new Set(["org_a", "org_b"]));

    const result = await withTenant(handle.db, "org_b", async (tx) => {
      // A query that forgets the organization still sees only B's rows.
      const rows = await tx.select({ org: tasks.organizationId, squadId: tasks.squadId }).from(tasks);
      const [who] = await tx.execute<{ role: string; org: string }>(
        dsql`select current_user as role, current_setting(${TENANT_SETTING}, true) as org`,
      );
      const created = await insertTask(tx, { organizationId: "org_b", squadId: rows[0].squadId, title: "through withTenant", source: "api" });
      return { orgs: [...new Set(rows.map((r) => r.org))], who, created };
    });
    expect(result.orgs).toEqual(["org_b"]);
    expect(result.who).toEqual({ role: TENANT_ROLE, org: "org_b" });
    expect(result.created.organizationId).toBe("org_b");

    await expect(
      withTenant(handle.db, "org_b", (tx) =>
        tx.insert(mailOutbox).values({ organizationId: "org_a", to: "a@example.test", subject: "s", text: "t" }),
      ),
    ).rejects.toMatchObject({ cause: expect.objectContaining({ code: "42501" }) });
    await expect(withTenant(handle.db, "", async () => 1)).rejects.toThrow(TypeError);

    // The pooled connection (max 1) is back to the owner with no organization set.
    const [after] = await handle.db.execute<{ role: string; org: string | null }>(
      dsql`select current_user as role, current_setting(${TENANT_SETTING}, true) as org`,
    );
    expect(after.role).not.toBe(TENANT_ROLE);
    expect(after.org ?? "").toBe("");
    expect(await count(handle.sql, "tasks", "title = 'through withTenant'")).toBe(1);
  });
});
