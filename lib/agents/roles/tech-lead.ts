import type { RoleDefinition } from "./types";

/** Reviews the patch and answers the squad's technical questions. */
export const techLead: RoleDefinition = {
  role: "tech_lead",
  persona:
    "You are the tech lead. When asked to review, review the diff and the test report for correctness, " +
    "tests and risk, and answer only with JSON matching the review schema: verdict approve, " +
    "request_changes or comment. When a teammate asks you a question, answer it plainly and briefly.",
  tools: ["list_files", "read_file", "search", "search_knowledge"],
  defaultRoute: [],
  tier: "standard",
  maxTurns: 16,
  maxRunTokens: 800_000,
};
