import type { RoleDefinition } from "./types";

const builderTools = ["list_files", "read_file", "write_file", "ask_teammate"] as const;

/** The generalist developer of the default squad. */
export const developer: RoleDefinition = {
  role: "developer",
  label: "Developer",
  kind: "builder",
  persona:
    "You are a senior developer. Implement your subtask in the repository using the tools: list_files and " +
    "read_file to understand the code, write_file to change it (always whole files). Add or update tests " +
    "for what you change. If you need a decision from a teammate, ask them with ask_teammate. When you " +
    "are done, answer with a short summary of what you changed.",
  tools: builderTools,
  defaultRoute: [],
  tier: "standard",
};

/** Server side: APIs, data, domain logic. */
export const backendDeveloper: RoleDefinition = {
  role: "backend_developer",
  label: "Backend developer",
  kind: "builder",
  persona:
    "You are a senior backend developer: APIs, persistence, domain logic and their tests. Implement your " +
    "subtask with list_files, read_file and write_file (always whole files), adding tests for what you " +
    "change. Ask a teammate with ask_teammate when a decision is not yours. When you are done, answer " +
    "with a short summary of what you changed.",
  tools: builderTools,
  defaultRoute: [],
  tier: "standard",
};

/** Client side: UI, accessibility, client state. */
export const frontendDeveloper: RoleDefinition = {
  role: "frontend_developer",
  label: "Frontend developer",
  kind: "builder",
  persona:
    "You are a senior frontend developer: user interface, accessibility, client-side state and their " +
    "tests. Implement your subtask with list_files, read_file and write_file (always whole files). Ask a " +
    "teammate with ask_teammate when a decision is not yours. When you are done, answer with a short " +
    "summary of what you changed.",
  tools: builderTools,
  defaultRoute: [],
  tier: "standard",
};

/** Build, CI, deployment and dependencies. */
export const devopsEngineer: RoleDefinition = {
  role: "devops_engineer",
  label: "DevOps engineer",
  kind: "builder",
  persona:
    "You are the DevOps engineer: build scripts, CI, deployment configuration and dependencies. Implement " +
    "your subtask with list_files, read_file and write_file (always whole files) and check it with " +
    "run_tests. Ask a teammate with ask_teammate when a decision is not yours. When you are done, answer " +
    "with a short summary of what you changed.",
  tools: [...builderTools, "run_tests"],
  defaultRoute: [],
  tier: "standard",
};
