import type { AgentRole } from "@/db/schema";
import type { TaskRunContext } from "@/lib/tasks/workflow";
import type { BriefLesson } from "@/lib/lessons/retrieve-lessons";
import { REPOSITORY_MAP_HEADING } from "@/lib/workspace/repo-map";
import { roleKind, roleLabel } from "./roles";

function taskBlock(ctx: Pick<TaskRunContext, "title" | "description">): string {
  return `Task: ${ctx.title}\n\n${ctx.description || "(no description)"}`;
}

/** Instructions people gave while approving (plan approvals, loop escalations), as a prompt block. */
function humanBlock(instructions: readonly string[]): string {
  return instructions.length > 0 ? `\n\nInstructions from the people overseeing this task:\n${instructions.map((i) => `- ${i}`).join("\n")}` : "";
}

/** The repository map (`buildRepositoryMap` in `lib/workspace/repo-map.ts`), last in a brief, under its heading. */
function repositoryMapBlock(map: string | undefined): string {
  return map ? `\n\n${REPOSITORY_MAP_HEADING}\n${map}` : "";
}

/** Heading of the lessons block of a brief (`lib/lessons`: learnt from earlier tasks on the repository). */
export const LESSONS_HEADING = "Lessons from earlier tasks on this repository (follow them unless this task says otherwise):";

/** Lessons learnt on earlier tasks, each with where it came from, as a prompt block. */
function lessonsBlock(lessons: readonly BriefLesson[] | undefined): string {
  if (!lessons || lessons.length === 0) return "";
  const items = lessons.map((l) => `- ${l.statement} (source: ${l.sourceLabel.toLowerCase()}${l.sourceUrl ? `, ${l.sourceUrl}` : ""})`);
  return `\n\n${LESSONS_HEADING}\n${items.join("\n")}`;
}

/** Heading of the knowledge block of a brief (`lib/knowledge`: the repository's code and the organization's documents). */
export const KNOWLEDGE_HEADING = "Relevant knowledge from the repository and the organization's documents (cite it as path:start-end):";

/**
 * Retrieved knowledge as a prompt block: `formatBriefKnowledge(knowledgeForBrief(…))` from
 * `lib/knowledge/brief.ts` (hits under their `[path:start-end] (source)` citations, via `formatCitations`).
 * Passed as text so this module stays free of the database and environment imports of `lib/knowledge`
 * (tests import its headings before they configure the environment).
 */
function knowledgeBlock(knowledge: string | undefined): string {
  return knowledge?.trim() ? `\n\n${KNOWLEDGE_HEADING}\n${knowledge.trimEnd()}` : "";
}

/** A subtask of the plan as prompts show it. */
export type PromptSubtask = { key: string; title: string; description: string; role: AgentRole };
/** A finished dependency and what its role reported. */
export type PromptResult = { key: string; title: string; role: AgentRole; output: string | null };

function doneBlock(done: readonly PromptResult[]): string {
  if (done.length === 0) return "";
  const items = done.map((d) => `- [${roleLabel(d.role)}] ${d.title}: ${(d.output ?? "(no summary)").slice(0, 4_000)}`);
  return `\n\nAlready done before your subtask:\n${items.join("\n")}`;
}

/**
 * The product manager's brief: the task, the repository, and the squad's roles with what each does,
 * then the lessons and the retrieved knowledge when there are any (without them, the brief is as before).
 */
export function planPrompt(ctx: TaskRunContext, input: { lessons?: readonly BriefLesson[]; knowledge?: string } = {}): string {
  const repo = ctx.repository ? `Repository: ${ctx.repository.name} (tests: \`${ctx.repository.testCommand}\`)` : "No repository.";
  const roles = ctx.agents
    .filter((a) => a.role !== "product_manager")
    .map((a) => `- ${a.role} (${roleKind(a.role)})`)
    .join("\n");
  return (
    `${taskBlock(ctx)}\n\n${repo}\nRoles in this squad:\n${roles}${lessonsBlock(input.lessons)}${knowledgeBlock(input.knowledge)}\n\n` +
    "Plan the work. Subtasks whose dependencies are done run in parallel, so only add a dependency when a " +
    "subtask needs another's result. Testing (qa_engineer) comes after the code it tests, review (tech_lead) last."
  );
}

/**
 * The brief of a builder or designer for one subtask: the task, the plan, what is done, and theirs;
 * then lessons, retrieved knowledge and the repository map when given (each omitted when absent).
 */
export function subtaskPrompt(
  ctx: TaskRunContext,
  input: {
    planSummary: string;
    subtask: PromptSubtask;
    done: readonly PromptResult[];
    instructions: readonly string[];
    repositoryMap?: string;
    lessons?: readonly BriefLesson[];
    /** Retrieved knowledge, formatted (`formatBriefKnowledge`); empty or absent: no block. */
    knowledge?: string;
  },
): string {
  const { subtask } = input;
  return (
    `${taskBlock(ctx)}\n\nPlan summary: ${input.planSummary}${doneBlock(input.done)}\n\n` +
    `Your subtask (${subtask.key}): ${subtask.title}\n${subtask.description}${humanBlock(input.instructions)}` +
    lessonsBlock(input.lessons) +
    knowledgeBlock(input.knowledge) +
    repositoryMapBlock(input.repositoryMap)
  );
}

/** The QA engineer's brief for one test run. */
export function qaPrompt(ctx: TaskRunContext, input: { attempt: number; instructions: readonly string[] }): string {
  const command = ctx.repository?.testCommand ?? "the test suite";
  const again = input.attempt > 0 ? " The developer has fixed the failures you reported; run the tests again." : "";
  return `${taskBlock(ctx)}\n\nThe developers have finished.${again} Run the tests (\`${command}\`) and report the result.${humanBlock(input.instructions)}`;
}

/**
 * The developer's brief after QA found failing tests. Starts with "Fix the failing tests" (offline
 * scenarios select the fix conversation by it).
 */
export function fixPrompt(
  ctx: TaskRunContext,
  input: { attempt: number; maxAttempts: number; testOutput: string; qaSummary: string | null; instructions: readonly string[] },
): string {
  return [
    `Fix the failing tests (attempt ${input.attempt} of ${input.maxAttempts}).`,
    taskBlock(ctx),
    `QA engineer's report: ${input.qaSummary ?? "(none)"}`,
    `Test output:\n\`\`\`\n${input.testOutput.slice(0, 12_000)}\n\`\`\``,
    `Change the code (or the tests, if they are wrong) so the suite passes.${humanBlock(input.instructions)}`,
  ].join("\n\n");
}

/** The tech lead's brief: the diff and the test report to review. */
export function reviewPrompt(
  ctx: TaskRunContext,
  input: {
    diff: string;
    developerSummary: string | null;
    testsPassed: boolean;
    testSummary: string | null;
    instructions?: readonly string[];
  },
): string {
  const diff = input.diff.trim().length > 0 ? input.diff.slice(0, 60_000) : "(no changes)";
  return [
    taskBlock(ctx),
    `Developer's summary: ${input.developerSummary ?? "(none)"}`,
    `Tests: ${input.testsPassed ? "passed" : "failed or not run"}. ${input.testSummary ?? ""}`,
    `Diff:\n\`\`\`diff\n${diff}\n\`\`\``,
    `Review the change.${humanBlock(input.instructions ?? [])}`,
  ].join("\n\n");
}

/**
 * The brief of a role answering a teammate's question (`squad/agent.collaborate`). Contains "asks
 * you" (offline scenarios select the answering conversation by it).
 */
export function answerPrompt(
  task: { title: string; description: string },
  input: { fromRole: AgentRole; question: string },
): string {
  return `${taskBlock(task)}\n\nYour teammate, the ${roleLabel(input.fromRole)}, asks you:\n\n${input.question}\n\nAnswer plainly and briefly; they are waiting for your answer to go on.`;
}
