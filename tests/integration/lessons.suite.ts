import postgres from "postgres";
import { z } from "zod";
import { LESSONS_HEADING } from "@/lib/agents/prompts";
import { startStack, type Client, type Stack, type TaskDetailJson } from "../fixtures/stack";
import { openAiCompletion, startOpenAiStandIn } from "../fixtures/vendors/openai-stand-in";
import type { StandIn } from "../fixtures/vendors/stand-in-server";

type LessonJson = {
  id: string;
  repositoryId: string | null;
  role: string | null;
  statement: string;
  source: { kind: string; label: string; taskId: string | null; url: string | null; excerpt: string | null };
  distilledBy: string;
};
type ApprovalJson = { id: string; taskId: string; kind: string; status: string };
type SquadJson = { id: string; repositoryId: string | null; agents: { role: string }[] };

const chatRequestSchema = z.object({ messages: z.array(z.object({ role: z.string(), content: z.unknown() })) });

/**
 * Lessons end to end through the stack (route handlers, local executor, `/api/inngest`): a person
 * rejects a plan with a reason → `learn-lessons` distils it (through the configured model: an OpenAI
 * stand-in speaking its wire format) → the next task's planner brief, as the model receives it,
 * carries the lesson with its source → editing and deleting it change the next brief; another
 * organization never sees it. Only the product manager talks to the stand-in; tasks stop at the plan.
 */
export function defineLessonsSuite(kind: "pglite" | "postgres"): void {
  describe(`lessons end to end on ${kind}`, () => {
    let stack: Stack;
    let openai: StandIn & { baseURL: string };
    let alice: Client;
    let sql: postgres.Sql;

    beforeAll(async () => {
      openai = await startOpenAiStandIn();
      stack = await startStack(kind, { env: { OPENAI_API_KEY: "sk-standin-openai", OPENAI_BASE_URL: openai.baseURL, OPENAI_MODEL: "gpt-4.1-mini" } });
      sql = postgres(stack.database.url, { prepare: false, max: 2, onnotice: () => {} });
      alice = await stack.signUp("Alice");
      const squads = await alice.json<SquadJson[]>("/api/v1/squads");
      const squad = squads.body[0];
      // Every role scripted offline except the planner, whose briefs the stand-in records.
      const agents = squad.agents.map((a) => ({
        role: a.role,
        modelRoute: [a.role === "product_manager" ? { provider: "openai", model: "gpt-4.1-mini" } : { provider: "offline", model: "offline-scripted" }],
      }));
      const patched = await alice.json(`/api/v1/squads/${squad.id}`, { method: "PATCH", body: JSON.stringify({ autonomy: "human_required", agents }) });
      expect(patched.status).toBe(200);
    }, 120_000);

    afterAll(async () => {
      const executor = process.env.INNGEST_DEV;
      for (let i = 0; executor && i < 100; i++) {
        const res = await fetch(`${executor}/runs?status=running&limit=1`, { headers: { accept: "application/json" } });
        const body = z.object({ runs: z.array(z.unknown()) }).safeParse(await res.json());
        if (!body.success || body.data.runs.length === 0) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      await sql?.end();
      await stack?.stop();
      await openai?.close();
    });

    const plan = {
      summary: "Add the column and its migration",
      subtasks: [{ key: "implement", title: "Add the column", description: "Migration and model", role: "developer", dependsOn: [] }],
    };

    async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const value = await fn();
        if (value !== undefined) return value;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }

    /** Creates a task, waits for its plan approval, and returns the planner brief the model received. */
    async function planUntilApproval(client: Client, title: string): Promise<{ taskId: string; approval: ApprovalJson; brief: string }> {
      const before = openai.requests.length;
      openai.enqueue(openAiCompletion({ content: JSON.stringify(plan) }));
      const created = await client.json<{ id: string }>("/api/v1/tasks", { method: "POST", body: JSON.stringify({ title, description: "Store when each todo is due." }) });
      expect(created.status).toBe(201);
      const taskId = created.body.id;
      const approval = await until("the plan approval", async () => {
        const list = await client.json<ApprovalJson[]>("/api/v1/approvals?status=pending");
        return list.body.find((a) => a.taskId === taskId);
      });
      const request = openai.requests.slice(before).find((r) => JSON.stringify(r.body).includes(title));
      const parsed = chatRequestSchema.parse(request?.body);
      const brief = parsed.messages.filter((m) => m.role === "user").map((m) => String(m.content)).join("\n");
      return { taskId, approval, brief };
    }

    async function reject(client: Client, approvalId: string, comment?: string): Promise<void> {
      const res = await client.json(`/api/v1/approvals/${approvalId}/decision`, { method: "POST", body: JSON.stringify({ decision: "reject", ...(comment ? { comment } : {}) }) });
      expect(res.status).toBe(200);
    }

    async function lessonsApplied(taskId: string): Promise<unknown[]> {
      const rows = await sql<{ data: Record<string, unknown> | null }[]>`select data from task_events where task_id = ${taskId} order by id`;
      return rows.flatMap((r) => (Array.isArray(r.data?.lessonsApplied) ? r.data.lessonsApplied : []));
    }

    test("a rejected plan's reason becomes a lesson the next planner brief carries with its source; edit, isolation, delete", async () => {
      // 1. The first plan is rejected with a reason; the distiller (the configured model) turns it into a lesson.
      const first = await planUntilApproval(alice, "Add a due date column");
      expect(first.brief).not.toContain(LESSONS_HEADING);
      openai.enqueue(openAiCompletion({ content: JSON.stringify({ lessons: [{ sourceId: first.approval.id, statement: "Name every database column in snake_case." }] }) }));
      await reject(alice, first.approval.id, "always name columns in snake_case");
      const cancelled = await stack.waitForTask(alice, first.taskId);
      expect(cancelled.status).toBe("cancelled");

      const lesson = await until("the lesson", async () => (await alice.json<{ items: LessonJson[] }>("/api/v1/lessons")).body.items[0]);
      const squad = (await alice.json<SquadJson[]>("/api/v1/squads")).body[0];
      expect(lesson).toMatchObject({
        statement: "Name every database column in snake_case.",
        role: null,
        repositoryId: squad.repositoryId,
        source: { kind: "approval_rejected", taskId: first.taskId, url: `/tasks/${first.taskId}`, excerpt: "always name columns in snake_case" },
        distilledBy: expect.stringMatching(/^openai:gpt-4\.1-mini/),
      });
      // The distillation is metered like any model call.
      const [ledger] = await sql`select count(*)::int as n from llm_calls where task_id = ${first.taskId} and step_id = 'distil'`;
      expect(ledger.n).toBe(1);

      // 2. The next task's planner brief carries it, with where it came from; the timeline says so.
      const second = await planUntilApproval(alice, "Add a priority column");
      expect(second.brief).toContain(LESSONS_HEADING);
      expect(second.brief).toContain(`- Name every database column in snake_case. (source: approval rejected, /tasks/${first.taskId})`);
      expect(await lessonsApplied(second.taskId)).toEqual([expect.objectContaining({ id: lesson.id, sourceUrl: `/tasks/${first.taskId}` })]);
      await reject(alice, second.approval.id); // no reason: nothing to learn
      await stack.waitForTask(alice, second.taskId);

      // 3. A person edits the statement (audited); another organization never sees or touches it.
      const edited = await alice.json<LessonJson>(`/api/v1/lessons/${lesson.id}`, { method: "PATCH", body: JSON.stringify({ statement: "Columns are snake_case, always." }) });
      expect(edited.status).toBe(200);
      expect(edited.body.statement).toBe("Columns are snake_case, always.");
      expect((await alice.json(`/api/v1/lessons/${lesson.id}`, { method: "PATCH", body: JSON.stringify({ statement: "  " }) })).status).toBe(422);
      const [audit] = await sql`select data from audit_events where action = 'lesson.updated' and target_id = ${lesson.id}`;
      expect(audit.data).toEqual({ before: "Name every database column in snake_case.", after: "Columns are snake_case, always." });

      const mallory = await stack.signUp("Mallory");
      expect((await mallory.json<{ items: LessonJson[] }>("/api/v1/lessons")).body.items).toEqual([]);
      expect((await mallory.json(`/api/v1/lessons/${lesson.id}`)).status).toBe(404);
      expect((await mallory.json(`/api/v1/lessons/${lesson.id}`, { method: "PATCH", body: JSON.stringify({ statement: "hijacked" }) })).status).toBe(404);
      expect((await mallory.fetch(`/api/v1/lessons/${lesson.id}`, { method: "DELETE" })).status).toBe(404);
      expect((await alice.json<LessonJson>(`/api/v1/lessons/${lesson.id}`)).body.statement).toBe("Columns are snake_case, always.");

      // 4. Deleted, it is gone from the API and from the next brief.
      expect((await alice.fetch(`/api/v1/lessons/${lesson.id}`, { method: "DELETE" })).status).toBe(204);
      expect((await alice.json(`/api/v1/lessons/${lesson.id}`)).status).toBe(404);
      expect((await alice.json<{ items: LessonJson[] }>("/api/v1/lessons")).body.items).toEqual([]);
      const third = await planUntilApproval(alice, "Add a tags column");
      expect(third.brief).not.toContain(LESSONS_HEADING);
      expect(third.brief).not.toContain("snake_case");
      expect(await lessonsApplied(third.taskId)).toEqual([]);
      await reject(alice, third.approval.id);
      await stack.waitForTask(alice, third.taskId);
    }, 180_000);
  });
}
