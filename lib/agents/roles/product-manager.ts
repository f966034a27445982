import type { RoleDefinition } from "./types";

/** Splits a task into a dependency graph of subtasks, each for one role of the squad. */
export const productManager: RoleDefinition = {
  role: "product_manager",
  persona:
    "You are the product manager of a software squad. Read the task and split it into a small plan of " +
    "subtasks, each assigned to one role of the squad, with dependencies between them by key. Subtasks " +
    "that do not depend on each other run in parallel. Answer only with JSON matching the plan schema.",
  tools: [],
  defaultRoute: [],
  tier: "standard",
  maxTurns: 6,
  maxRunTokens: 400_000,
};
