import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { agentRoles, type AgentRole } from "@/db/schema/squads";
import { REPOSITORY_MAP_HEADING } from "@/lib/workspace/repo-map";

/**
 * The data format of an offline scenario (`lib/llm/offline/scenarios/*.json`).
 *
 * ```jsonc
 * {
 *   "name": "add-delete-todo-endpoint",
 *   "description": "…",
 *   "match_titles": ["Add a DELETE /todos/:id endpoint"],  // case-insensitive exact match on the task title
 *   // or "default": true — used for every other title (exactly one scenario is the default)
 *   "roles": {
 *     "developer": [                                         // turn 0, turn 1, … of that agent's conversation
 *       { "content": "…", "tool_calls": [{ "name": "read_file", "arguments": { "path": "src/app.js" } }] },
 *       { "json": { … } },                                   // structured output: sent as JSON text content
 *       { "cases": [                                         // first case whose conditions hold wins
 *           { "if_last_tool_contains": "status: passed", "content": "…" },
 *           { "content": "…" }                               // no condition: fallback
 *       ] }
 *     ]
 *   },
 *   "conversations": [                                       // optional: scripts for one kind of conversation
 *     { "role": "developer",
 *       "if_prompt_contains": "Fix the failing tests",       // substring of the conversation's first user message
 *       "turns": [ … ] }                                     // same turn format as under "roles"
 *   ],
 *   "simulated_price": { "input": 3, "output": 15 }          // optional: USD per 1M (estimated) tokens, so
 *                                                            // offline calls cost something (budget tests)
 * }
 * ```
 *
 * Strings anywhere in a reply may use `{{task.title}}`, `{{task.description}}` and `{{agent.role}}`.
 * A conversation's script is the first entry of `conversations` for the agent's role whose prompt
 * conditions hold, else the role's script under `roles`, else the default scenario's script for the
 * role. A turn is picked by the number of assistant messages already in the conversation. Conditions
 * test the content of the last `tool` message (case-sensitive substring).
 */
const toolCallSchema = z
  .object({ name: z.string().min(1), arguments: z.record(z.string(), z.unknown()) })
  .strict();

const replyFields = {
  content: z.string().nullable().optional(),
  json: z.unknown().optional(),
  tool_calls: z.array(toolCallSchema).optional(),
};

export const replySchema = z.object(replyFields).strict();
export const caseSchema = z
  .object({
    ...replyFields,
    if_last_tool_contains: z.string().min(1).optional(),
    if_last_tool_not_contains: z.string().min(1).optional(),
  })
  .strict();
export const turnSchema = z.union([replySchema, z.object({ cases: z.array(caseSchema).min(1) }).strict()]);

export const conversationSchema = z
  .object({
    role: z.enum(agentRoles),
    if_prompt_contains: z.string().min(1).optional(),
    if_prompt_not_contains: z.string().min(1).optional(),
    turns: z.array(turnSchema).min(1),
  })
  .strict();

export const scenarioSchema = z
  .object({
    name: z.string().min(1),
    description: z.string().optional(),
    match_titles: z.array(z.string().min(1)).min(1).optional(),
    default: z.boolean().optional(),
    roles: z.partialRecord(z.enum(agentRoles), z.array(turnSchema).min(1)),
    conversations: z.array(conversationSchema).optional(),
    simulated_price: z.object({ input: z.number().min(0), output: z.number().min(0) }).strict().optional(),
  })
  .strict()
  .refine((s) => (s.default === true) !== (s.match_titles !== undefined), {
    message: 'a scenario has either "match_titles" or "default": true',
  });

export type Reply = z.infer<typeof replySchema>;
export type Case = z.infer<typeof caseSchema>;
export type Turn = z.infer<typeof turnSchema>;
export type Scenario = z.infer<typeof scenarioSchema>;
export type ScenarioSet = { byTitle: Map<string, Scenario>; fallback: Scenario };

const knownPlaceholders = new Set(["task.title", "task.description", "agent.role"]);
const placeholderPattern = /\{\{\s*([a-z_.]+)\s*\}\}/gi;

/** Where the bundled scenarios live (resolved from the app's working directory, like `examples/`). */
export const defaultScenarioDir = () => path.join(process.cwd(), "lib", "llm", "offline", "scenarios");

const normalizeTitle = (title: string) => title.trim().toLowerCase();

function checkPlaceholders(file: string, text: string) {
  for (const match of text.matchAll(placeholderPattern)) {
    const name = match[1] ?? "";
    if (!knownPlaceholders.has(name)) {
      throw new Error(`Offline scenario ${file}: unknown placeholder {{${name}}}`);
    }
  }
}

/**
 * Reads and validates every `*.json` scenario in `dir`.
 * @throws Error naming the file on invalid JSON, a schema violation, an unknown placeholder, a title
 *   claimed twice, or not exactly one default scenario.
 */
export function loadScenarios(dir: string = defaultScenarioDir()): ScenarioSet {
  // Read at run time from the working directory: nothing here should make the bundler trace the project.
  const files = readdirSync(/*turbopackIgnore: true*/ dir)
    .filter((f) => f.endsWith(".json"))
    .sort();
  const byTitle = new Map<string, Scenario>();
  let fallback: Scenario | undefined;
  for (const file of files) {
    const text = readFileSync(/*turbopackIgnore: true*/ path.join(/*turbopackIgnore: true*/ dir, file), "utf8");
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (error) {
      throw new Error(`Offline scenario ${file} is not valid JSON: ${error instanceof Error ? error.message : error}`);
    }
    const parsed = scenarioSchema.safeParse(data);
    if (!parsed.success) {
      throw new Error(`Offline scenario ${file} is invalid: ${z.prettifyError(parsed.error)}`);
    }
    checkPlaceholders(file, text);
    const scenario = parsed.data;
    if (scenario.default) {
      if (fallback) throw new Error(`Offline scenarios ${fallback.name} and ${scenario.name} are both the default`);
      fallback = scenario;
    }
    for (const title of scenario.match_titles ?? []) {
      const key = normalizeTitle(title);
      const other = byTitle.get(key);
      if (other) throw new Error(`Offline scenarios ${other.name} and ${scenario.name} both match "${title}"`);
      byTitle.set(key, scenario);
    }
  }
  if (!fallback) throw new Error(`No default offline scenario ("default": true) in ${dir}`);
  return { byTitle, fallback };
}

/** The scenario for a task title: case-insensitive exact match (surrounding spaces ignored), else the default. */
export function selectScenario(set: ScenarioSet, title: string): Scenario {
  return set.byTitle.get(normalizeTitle(title)) ?? set.fallback;
}

/**
 * The script of a conversation of `role` whose first user message is `prompt`: the first matching
 * entry of the scenario's `conversations`, else the scenario's script for the role, else the default
 * scenario's, else none.
 */
export function scriptFor(set: ScenarioSet, scenario: Scenario, role: AgentRole, fullPrompt = ""): Turn[] | undefined {
  // The repository map at the end of a brief lists file names and symbols; scripts match the brief only.
  const mapAt = fullPrompt.indexOf(REPOSITORY_MAP_HEADING);
  const prompt = mapAt === -1 ? fullPrompt : fullPrompt.slice(0, mapAt);
  const conversation = scenario.conversations?.find(
    (c) =>
      c.role === role &&
      (c.if_prompt_contains === undefined || prompt.includes(c.if_prompt_contains)) &&
      (c.if_prompt_not_contains === undefined || !prompt.includes(c.if_prompt_not_contains)),
  );
  return conversation?.turns ?? scenario.roles[role] ?? set.fallback.roles[role];
}

/** Picks the reply of a turn: a plain reply, or the first case whose conditions hold for `lastToolOutput`. */
export function resolveTurn(turn: Turn, lastToolOutput: string | null): Reply | null {
  if (!("cases" in turn)) return turn;
  const text = lastToolOutput ?? "";
  for (const c of turn.cases) {
    if (c.if_last_tool_contains !== undefined && !text.includes(c.if_last_tool_contains)) continue;
    if (c.if_last_tool_not_contains !== undefined && text.includes(c.if_last_tool_not_contains)) continue;
    return { content: c.content, json: c.json, tool_calls: c.tool_calls };
  }
  return null;
}

/** Replaces `{{…}}` placeholders in every string of `value` (objects and arrays walked recursively). */
export function interpolate(value: unknown, vars: Record<string, string>): unknown {
  if (typeof value === "string") {
    return value.replace(placeholderPattern, (whole, name: string) => vars[name] ?? whole);
  }
  if (Array.isArray(value)) return value.map((v) => interpolate(v, vars));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, vars)]));
  }
  return value;
}
