import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { createDatabase } from "@/db/client";
import { runMigrations } from "@/db/migrate";
import { markLessonDeleted } from "@/db/queries/lessons";
import { insertTask } from "@/db/queries/tasks";
import { approvals, artifacts, member, organization, repositories, squads, taskDeliveries, taskEvents, user } from "@/db/schema";
import { collectLessonSources } from "@/lib/lessons/collect-lesson-sources";
import { distilByRules } from "@/lib/lessons/distil-lessons";
import { storeLessons } from "@/lib/lessons/learn-lessons";
import { retrieveLessons } from "@/lib/lessons/retrieve-lessons";
import { createTestDatabase, type TestDatabase } from "../fixtures/database";

const kinds: ("pglite" | "postgres")[] = process.env.TEST_DATABASE_URL ? ["pglite", "postgres"] : ["pglite"];
if (!process.env.TEST_DATABASE_URL) test.skip("TEST_DATABASE_URL is not set: the PostgreSQL server variant is skipped", () => {});

/**
 * What `learn-lessons` reads from an ended task (every kind of source), stores once per source, and
 * what briefs retrieve by repository and role — against the real schema (PGlite and PostgreSQL).
 */
describe.each(kinds)("lesson sources on %s", (kind) => {
  let database: TestDatabase;
  let handle: ReturnType<typeof createDatabase>;
  const org = "org_lessons";
  let repositoryId: string;
  let taskId: string;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    await runMigrations(database.url);
    handle = createDatabase(database.url, { max: 2 });
    const db = handle.db;
    await db.insert(organization).values({ id: org, name: org, slug: org });
    await db.insert(user).values({ id: "u_ann", name: "Ann", email: "ann@example.test" });
    await db.insert(member).values({ id: "m_ann", organizationId: org, userId: "u_ann", role: "owner" });
    const [repo] = await db.insert(repositories).values({ organizationId: org, name: "api", localPath: "/nowhere", webhookSecretEncrypted: "-" }).returning();
    repositoryId = repo.id;
    const [squad] = await db.insert(squads).values({ organizationId: org, name: "Squad", repositoryId }).returning();
    const task = await insertTask(db, { organizationId: org, squadId: squad.id, repositoryId, title: "Add tags", source: "github", status: "completed" });
    taskId = task.id;
    const sub = (key: string, extra: Record<string, unknown> = {}) =>
      insertTask(db, { organizationId: org, squadId: squad.id, repositoryId, parentTaskId: task.id, title: key, source: "github", planKey: key, status: "completed", ...extra });
    await sub("implement", { role: "backend_developer" });
    await sub("test", { role: "qa_engineer" });
    await sub("follow-up-1", { role: "backend_developer", title: "Follow-up from octocat", description: "@squadron use a transaction for the tag writes" });
    const decided = { decidedByUserId: "u_ann", decidedAt: new Date() };
    await db.insert(approvals).values([
      { organizationId: org, taskId, kind: "plan", reason: "policy", status: "approved", comment: "keep the API backwards compatible", ...decided },
      { organizationId: org, taskId, kind: "deliver", reason: "policy", status: "approved", ...decided },
      { organizationId: org, taskId, kind: "budget", reason: "over budget", status: "approved", comment: "fine, go on", ...decided },
    ]);
    await db.insert(artifacts).values([
      { organizationId: org, taskId, kind: "review", title: "Review", content: "-", data: { verdict: "request_changes", comments: [{ path: "src/tags.ts", body: "validate tag names" }] } },
      { organizationId: org, taskId, kind: "test_report", title: "Tests", content: "FAIL src/tags.test.ts\n  ✕ rejects empty tags (3 ms)", data: { passed: false, attempt: 0, subtask: "test" } },
      { organizationId: org, taskId, kind: "test_report", title: "Tests", content: "PASS", data: { passed: true, attempt: 1, subtask: "test" } },
      { organizationId: org, taskId, kind: "review", title: "Review", content: "-", data: { verdict: "approve", comments: [] } },
    ]);
    await db.insert(taskEvents).values({ organizationId: org, taskId, type: "message", actor: "qa_engineer", message: "sent back", data: { subtask: "test", to: "backend_developer", attempt: 1, maxAttempts: 2 } });
    await db.insert(taskDeliveries).values({ organizationId: org, taskId, channel: "github", status: "delivered", externalId: "7", url: "https://github.com/octo/api/pull/7" });
  }, 120_000);

  afterAll(async () => {
    await handle?.sql.end({ timeout: 5 });
    await database?.stop();
  });

  test("every kind of source of a completed task becomes a candidate with its role and link", async () => {
    const sources = await collectLessonSources(handle.db, { organizationId: org, taskId });
    expect(sources?.repositoryId).toBe(repositoryId);
    const byKind = Object.fromEntries((sources?.candidates ?? []).map((c) => [c.sourceKind, c]));
    expect(Object.keys(byKind).sort()).toEqual(["approval_instructions", "pr_review", "qa_fix", "review_fix"]);
    expect(byKind.approval_instructions).toMatchObject({ role: null, excerpt: "keep the API backwards compatible", sourceUrl: `/tasks/${taskId}`, context: expect.stringContaining("Ann approved the plan") });
    expect(byKind.review_fix).toMatchObject({ role: "backend_developer", excerpt: "src/tags.ts: validate tag names" });
    expect(byKind.qa_fix).toMatchObject({ role: "backend_developer", excerpt: "✕ rejects empty tags (3 ms)" });
    expect(byKind.pr_review).toMatchObject({ role: "backend_developer", sourceUrl: "https://github.com/octo/api/pull/7" });
  });

  test("stored once per source; briefs get them by repository and role; a deleted one is neither retrieved nor learnt again", async () => {
    const sources = await collectLessonSources(handle.db, { organizationId: org, taskId });
    if (!sources) throw new Error("no sources");
    const lessons = distilByRules(sources.candidates);
    const ids = await storeLessons(handle.db, sources, lessons);
    expect(ids).toHaveLength(4);
    expect(await storeLessons(handle.db, sources, lessons)).toEqual([]);

    const planner = await retrieveLessons(handle.db, { organizationId: org, repositoryId, query: "tags" });
    expect(planner.map((l) => l.sourceKind).sort()).toEqual(["approval_instructions", "pr_review", "qa_fix", "review_fix"]);
    const qa = await retrieveLessons(handle.db, { organizationId: org, repositoryId, roles: ["qa_engineer"], query: "tags" });
    expect(qa.map((l) => l.statement)).toEqual(["Keep the API backwards compatible."]);
    const developer = await retrieveLessons(handle.db, { organizationId: org, repositoryId, roles: ["backend_developer"], query: "use a transaction" });
    expect(developer[0]?.statement).toBe("Use a transaction for the tag writes.");
    expect(await retrieveLessons(handle.db, { organizationId: "org_other", repositoryId, query: "tags" })).toEqual([]);

    const prLesson = developer[0];
    await markLessonDeleted(handle.db, { organizationId: org, lessonId: prLesson.id, deletedByUserId: "u_ann" });
    const after = await retrieveLessons(handle.db, { organizationId: org, repositoryId, query: "use a transaction" });
    expect(after.map((l) => l.id)).not.toContain(prLesson.id);
    expect(await storeLessons(handle.db, sources, lessons)).toEqual([]);
  });
});
