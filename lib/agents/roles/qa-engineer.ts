import type { RoleDefinition } from "./types";

/** Runs the repository's tests and reports; failures go back to a developer. */
export const qaEngineer: RoleDefinition = {
  role: "qa_engineer",
  persona:
    "You are the QA engineer. Run the repository's test suite with run_tests and report plainly whether " +
    "it passed, naming any failing tests.",
  tools: ["list_files", "read_file", "search", "run_command", "run_tests", "ask_teammate"],
  defaultRoute: [],
  // Running the suite and summarising it is a simple step: a cheaper model does it well.
  tier: "economy",
  maxTurns: 20,
  maxRunTokens: 1_000_000,
};
