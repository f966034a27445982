import { getDb } from "@/db/client";
import { findTask } from "@/db/queries/tasks";
import { inngest } from "@/inngest/client";
import { env } from "@/lib/env";
import { knowledgeRepositoryIndexRequested, taskCompleted } from "@/inngest/events";
import {
  failRepositoryIndex,
  finishRepositoryIndex,
  indexRepositoryBatch,
  planRepositoryIndex,
} from "@/lib/knowledge/repository-index";

/**
 * Knowledge: indexes a repository's code at its default branch's head, incrementally by git blob id
 * (unchanged files are not re-embedded). Steps: `plan` (commit, files, removed files' chunks deleted,
 * run recorded), `batch-<n>` (20 files each, resumable: a restart continues at the next batch),
 * `finish`. One run per repository at a time; progress (files indexed / total) is on the repository
 * page. A run that fails after its retries marks the index `failed` with the error.
 */
export const indexRepositoryFunction = inngest.createFunction(
  {
    id: "index-repository",
    name: "Knowledge: index a repository",
    triggers: [knowledgeRepositoryIndexRequested],
    concurrency: { limit: 1, key: "event.data.repositoryId" },
    retries: 3,
    onFailure: async ({ event, error, step }) => {
      const original = knowledgeRepositoryIndexRequested.schema.safeParse(event.data.event.data);
      if (!original.success) return;
      await step.run("mark-failed", () =>
        failRepositoryIndex(getDb(), { organizationId: original.data.organizationId, repositoryId: original.data.repositoryId, error: error.message }),
      );
    },
  },
  async ({ event, step }) => {
    const scope = { organizationId: event.data.organizationId, repositoryId: event.data.repositoryId };
    const plan = await step.run("plan", () => planRepositoryIndex(getDb(), scope));
    let filesIndexed = 0;
    let filesSkipped = 0;
    for (let batch = 0; batch < plan.batches; batch++) {
      const done = await step.run(`batch-${batch}`, () => indexRepositoryBatch(getDb(), { ...scope, commit: plan.commit, batch }));
      filesIndexed += done.filesIndexed;
      filesSkipped += done.filesSkipped;
    }
    const status = await step.run("finish", () => finishRepositoryIndex(getDb(), { ...scope, commit: plan.commit, filesSkipped }));
    return { commit: plan.commit, filesTotal: plan.filesTotal, filesIndexed, filesSkipped, chunks: status?.chunks ?? 0 };
  },
);

/**
 * After a task completes on a repository ("after each delivered change"), asks for that repository
 * to be indexed again: files the change did not touch keep their chunks.
 */
export const indexRepositoryAfterTask = inngest.createFunction(
  { id: "index-repository-after-task", name: "Knowledge: re-index after a completed task", triggers: [taskCompleted], retries: 3 },
  async ({ event, step }) => {
    if (!env.KNOWLEDGE_AUTO_INDEX || event.data.status !== "completed") return { requested: false };
    const repositoryId = await step.run("find-repository", async () => {
      const task = await findTask(getDb(), { organizationId: event.data.organizationId, taskId: event.data.taskId });
      return task?.repositoryId ?? null;
    });
    if (!repositoryId) return { requested: false };
    await step.sendEvent(
      "request-index",
      knowledgeRepositoryIndexRequested.create({ organizationId: event.data.organizationId, repositoryId, reason: "task_completed" }),
    );
    return { requested: true };
  },
);
