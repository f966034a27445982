import type { RoleDefinition } from "./types";

// Builders find (search), read by line ranges, change by exact edits or diffs, and run commands and the
// tests themselves, so they can reproduce a failure before fixing it.
const builderTools = [
  "list_files",
  "read_file",
  "search",
  "search_knowledge",
  "edit_file",
  "create_file",
  "apply_patch",
  "write_file",
  "run_command",
  "run_tests",
  "ask_teammate",
] as const;
const toolUse =
  "Find code with search, read it with read_file (line ranges for long files), change it with edit_file " +
  "(exact text, unique match) or apply_patch, create new files with create_file, and run run_tests (a test " +
  "file as filter runs just it) or run_command to check your work — reproduce a bug with a test before fixing it. ";
// Builders search, read, edit and test in many small steps: 60 turns (the issue asks for at least 40), and
// a token budget that 60 turns with a context of ~50k tokens fit in.
const builderLimits = { maxTurns: 60, maxRunTokens: 3_000_000 } as const;

/** The generalist developer of the default squad. */
export const developer: RoleDefinition = {
  role: "developer",
  persona:
    "You are a senior developer. Implement your subtask in the repository. " +
    toolUse +
    "Add or update tests for what you change. If you need a decision from a teammate, ask them with ask_teammate. When you " +
    "are done, answer with a short summary of what you changed.",
  tools: builderTools,
  defaultRoute: [],
  tier: "standard",
  ...builderLimits,
};

/** Server side: APIs, data, domain logic. */
export const backendDeveloper: RoleDefinition = {
  role: "backend_developer",
  persona:
    "You are a senior backend developer: APIs, persistence, domain logic and their tests. Implement your " +
    "subtask, adding tests for what you change. " +
    toolUse +
    "Ask a teammate with ask_teammate when a decision is not yours. When you are done, answer " +
    "with a short summary of what you changed.",
  tools: builderTools,
  defaultRoute: [],
  tier: "standard",
  ...builderLimits,
};

/** Client side: UI, accessibility, client state. */
export const frontendDeveloper: RoleDefinition = {
  role: "frontend_developer",
  persona:
    "You are a senior frontend developer: user interface, accessibility, client-side state and their " +
    "tests. Implement your subtask. " +
    toolUse +
    "Ask a teammate with ask_teammate when a decision is not yours. When you are done, answer with a short " +
    "summary of what you changed.",
  tools: builderTools,
  defaultRoute: [],
  tier: "standard",
  ...builderLimits,
};

/** Build, CI, deployment and dependencies. */
export const devopsEngineer: RoleDefinition = {
  role: "devops_engineer",
  persona:
    "You are the DevOps engineer: build scripts, CI, deployment configuration and dependencies. Implement " +
    "your subtask. " +
    toolUse +
    "Ask a teammate with ask_teammate when a decision is not yours. When you are done, answer " +
    "with a short summary of what you changed.",
  tools: builderTools,
  defaultRoute: [],
  tier: "standard",
  ...builderLimits,
};
