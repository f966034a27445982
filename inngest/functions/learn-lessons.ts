import { getDb } from "@/db/client";
import { inngest } from "@/inngest/client";
import { taskCompleted } from "@/inngest/events";
import { collectLessonSources } from "@/lib/lessons/collect-lesson-sources";
import { distilLessons } from "@/lib/lessons/distil-lessons";
import { indexLessons, recordDistillation, storeLessons } from "@/lib/lessons/learn-lessons";

/**
 * "Finalize and learn": when a task ends (`squad/task.completed`, any status), what people and tests
 * said on it — rejection reasons, approval instructions, review findings and QA failures that were
 * fixed, pull request reviews — becomes lessons for later tasks on the repository. Steps: `collect`
 * (read the task's approvals, reviews, test reports, follow-ups), `distil` (the configured model, or
 * the deterministic rules offline), `store` (once per source), `index` (knowledge index, source `lesson`).
 */
export const learnLessons = inngest.createFunction(
  { id: "learn-lessons", name: "Learn lessons from an ended task", triggers: [taskCompleted], retries: 3 },
  async ({ event, step, runId }) => {
    const scope = { organizationId: event.data.organizationId, taskId: event.data.taskId };
    const sources = await step.run("collect", () => collectLessonSources(getDb(), scope));
    if (!sources || sources.candidates.length === 0) return { learnt: 0 };
    const lessons = await step.run("distil", async () => {
      const { lessons: distilled, response } = await distilLessons(sources);
      if (response) await recordDistillation(getDb(), { ...scope, runId, stepId: "distil", response });
      return distilled;
    });
    const lessonIds = await step.run("store", () => storeLessons(getDb(), sources, lessons));
    if (lessonIds.length === 0) return { learnt: 0 };
    const indexed = await step.run("index", () => indexLessons(getDb(), { organizationId: scope.organizationId, lessonIds }));
    return { learnt: lessonIds.length, indexed: indexed.indexed, notIndexed: indexed.failed.length };
  },
);
