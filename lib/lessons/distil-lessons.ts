import { z } from "zod";
import { generate, type GenerateOptions } from "@/lib/llm/generate";
import { toJsonSchema } from "@/lib/llm/schemas";
import { settingsFromEnv, type LlmSettings } from "@/lib/llm/settings";
import type { ModelResponse } from "@/lib/llm/types";
import type { LessonCandidate, LessonSources } from "./collect-lesson-sources";
import { MAX_LESSON_STATEMENT_CHARS } from "./schemas";

/** A candidate with its distilled statement. Plain JSON (a step result). */
export type DistilledLesson = LessonCandidate & { statement: string; distilledBy: string };

/** `distilledBy` of lessons written by {@link distilByRules}. */
export const RULES_DISTILLER = "rules";

/** Target length of a rule-distilled statement, in characters (a sentence or two). */
const RULE_STATEMENT_CHARS = 300;

/** Whitespace collapsed, an `@squadron` mention and quoting `>` dropped. */
function clean(text: string): string {
  return text
    .replace(/^\s*>\s?/gm, "")
    .replace(/(^|\s)@squadron\b[:,]?/gi, " ")
    .replace(/\s+/g, " ")
    .trim();
}

/** The first sentence(s) of `text` within `max` characters; cut at a word with "…" when one sentence is longer. */
function firstSentences(text: string, max: number): string {
  if (text.length <= max) return text;
  const sentences = text.match(/[^.!?]+[.!?]+(\s|$)/g) ?? [];
  let out = "";
  for (const s of sentences) {
    if ((out + s).trim().length > max) break;
    out += s;
  }
  if (out.trim()) return out.trim();
  const cut = text.slice(0, max - 1);
  return `${cut.slice(0, cut.lastIndexOf(" ") > max / 2 ? cut.lastIndexOf(" ") : cut.length).trim()}…`;
}

function asSentence(text: string): string {
  const t = text.trim();
  if (!t) return t;
  const capitalised = t[0].toUpperCase() + t.slice(1);
  return /[.!?…]$/.test(capitalised) ? capitalised : `${capitalised}.`;
}

/**
 * The deterministic distiller (used offline, and for any candidate a model did not answer for):
 * a person's words become the statement as they said them (first sentence or two, ≤ 300 characters,
 * capitalised, with a full stop); a fixed test failure becomes "Before handing over, make sure the
 * tests pass; they failed here before with: …".
 * @example distilByRules([{ excerpt: "always name columns in snake_case", … }])[0].statement
 *   === "Always name columns in snake_case."
 */
export function distilByRules(candidates: readonly LessonCandidate[]): DistilledLesson[] {
  return candidates
    .map((c) => {
      const text = clean(c.excerpt);
      const statement =
        c.sourceKind === "qa_fix"
          ? `Before handing over, make sure the tests pass; they failed here before with: ${firstSentences(text, 200)}`
          : asSentence(firstSentences(text, RULE_STATEMENT_CHARS));
      return { ...c, statement: statement.slice(0, MAX_LESSON_STATEMENT_CHARS), distilledBy: RULES_DISTILLER };
    })
    .filter((l) => l.statement.length > 0);
}

const modelAnswerSchema = z.object({
  lessons: z.array(
    z.object({
      sourceId: z.string(),
      /** Empty when the source teaches nothing beyond this task. */
      statement: z.string().max(MAX_LESSON_STATEMENT_CHARS),
    }),
  ),
});
const responseFormat = { name: "lessons", schema: toJsonSchema(modelAnswerSchema) };

/** Whether a hosted model is configured (an OpenAI or Anthropic key): only then does {@link distilLessons} call one. */
export function hasConfiguredModel(settings: LlmSettings = settingsFromEnv()): boolean {
  return Boolean(settings.openai.apiKey || settings.anthropic.apiKey);
}

function modelPrompt(sources: LessonSources): string {
  const items = sources.candidates.map((c) => `- sourceId: ${c.sourceId}\n  where: ${c.context}\n  said: ${JSON.stringify(c.excerpt)}`);
  return [
    `A software task just ended: "${sources.task.title}".`,
    "Below is what people (or failing tests) said during it. Turn each into one short, general lesson for the agents who",
    "work on this repository later: an imperative sentence (at most two), specific and reusable, e.g. \"Name database columns",
    'in snake_case." Keep the people\'s own terms. Answer an empty statement for a source that only concerns this task.',
    "",
    items.join("\n"),
  ].join("\n");
}

/**
 * Distils lesson candidates into short statements: through the configured model (economy tier,
 * structured output `{ lessons: [{ sourceId, statement }] }`) when an OpenAI or Anthropic key is set,
 * else (and for anything the model left out or could not answer) by {@link distilByRules}.
 * A statement the model left empty drops that candidate.
 * @returns the lessons, and the model response when a model was called (for the usage ledger)
 */
export async function distilLessons(
  sources: LessonSources,
  options: GenerateOptions & { settings?: LlmSettings } = {},
): Promise<{ lessons: DistilledLesson[]; response: ModelResponse | null }> {
  const settings = options.settings ?? settingsFromEnv();
  if (sources.candidates.length === 0) return { lessons: [], response: null };
  if (!hasConfiguredModel(settings)) return { lessons: distilByRules(sources.candidates), response: null };
  let response: ModelResponse;
  try {
    response = await generate(
      [],
      { agentRole: "tech_lead", messages: [{ role: "user", content: modelPrompt(sources) }], responseFormat, task: sources.task, maxOutputTokens: 1_000 },
      { ...options, settings, tier: "economy" },
    );
  } catch {
    // No model reachable: the lessons are still learnt, by the rules.
    return { lessons: distilByRules(sources.candidates), response: null };
  }
  let answer: z.infer<typeof modelAnswerSchema> | null = null;
  try {
    const parsed = modelAnswerSchema.safeParse(JSON.parse(response.content ?? ""));
    answer = parsed.success ? parsed.data : null;
  } catch {
    answer = null;
  }
  const byId = new Map((answer?.lessons ?? []).map((l) => [l.sourceId, l.statement.trim()]));
  const distilledBy = `${response.provider}:${response.model}`;
  const lessons: DistilledLesson[] = [];
  for (const candidate of sources.candidates) {
    const statement = byId.get(candidate.sourceId);
    if (statement === undefined) lessons.push(...distilByRules([candidate]));
    else if (statement.length > 0) lessons.push({ ...candidate, statement, distilledBy });
  }
  return { lessons, response };
}
