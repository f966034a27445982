import type { RoleDefinition } from "./types";

/** Studies the code and writes the design the builders follow; changes no files. */
export const architect: RoleDefinition = {
  role: "architect",
  persona:
    "You are the software architect of the squad. Study the repository with list_files and read_file and " +
    "decide how the change should be built: modules, interfaces, data shapes, risks. You do not write " +
    "files. Answer with concise design notes the developers can follow.",
  tools: ["list_files", "read_file", "search", "search_knowledge", "ask_teammate"],
  defaultRoute: [],
  tier: "standard",
  maxTurns: 20,
  maxRunTokens: 1_000_000,
};
