import { z } from "zod";

/**
 * Actions a policy decides on:
 * - `plan`: start working on the product manager's plan (facts: the projected cost)
 * - `deliver`: hand over the finished patch (facts: the files changed and the diff size)
 * - `dependency_change`: a patch that changes dependency manifests or lockfiles (checked with `deliver`)
 * - `mcp_tool`: an agent calls a tool of one of the squad's MCP servers (facts: the tool's name as the
 *   model sees it, `mcp__<server>__<tool>`); allowed at every autonomy level unless a rule says otherwise
 */
export const policyActions = ["plan", "deliver", "dependency_change", "mcp_tool"] as const;
export type PolicyAction = (typeof policyActions)[number];

/** What a policy decides: go on, ask a person first, or refuse. */
export const policyEffects = ["allow", "require_approval", "deny"] as const;
export type PolicyEffect = (typeof policyEffects)[number];

/** Most seconds a run waits for a person's decision: 30 days. */
export const MAX_APPROVAL_TIMEOUT_SECONDS = 30 * 24 * 3600;
/** How long a run waits for a person's decision unless the squad says otherwise: 24 hours. */
export const DEFAULT_APPROVAL_TIMEOUT_SECONDS = 24 * 3600;

/**
 * One policy rule. It matches an action when every condition it sets holds:
 * - `actions`: the action is one of these (default: any)
 * - `paths`: a changed file matches one of these globs (picomatch, dotfiles included), e.g. `**\/migrations/**`;
 *   for an `allow` rule every changed file must match (an exemption covers the whole change)
 * - `diffLinesOver`: more than this many lines were added plus deleted
 * - `projectedCostOverUsdMicros`: the projected cost of the run exceeds this (USD micros)
 * - `tools`: the MCP tool called matches one of these globs (picomatch), e.g. `mcp__github__create_issue`, `mcp__github__*`
 * A rule with `paths` or `diffLinesOver` only matches actions that have files (`deliver`, `dependency_change`);
 * one with `tools` only matches `mcp_tool`.
 */
export const policyRuleSchema = z
  .object({
    id: z.string().trim().min(1).max(64),
    effect: z.enum(policyEffects),
    actions: z.array(z.enum(policyActions)).min(1).optional(),
    paths: z.array(z.string().trim().min(1).max(500)).min(1).max(50).optional(),
    diffLinesOver: z.number().int().min(0).optional(),
    projectedCostOverUsdMicros: z.number().int().min(0).optional(),
    tools: z.array(z.string().trim().min(1).max(200)).min(1).max(50).optional(),
    /** Said to the person asked (and in the timeline) when the rule decides. */
    reason: z.string().trim().min(1).max(500).optional(),
  })
  .strict()
  .refine((r) => !r.tools || (r.actions?.length === 1 && r.actions[0] === "mcp_tool"), {
    message: 'a rule with tools must have actions ["mcp_tool"]',
    path: ["actions"],
  });
export type PolicyRule = z.infer<typeof policyRuleSchema>;

/** A squad's policy besides its autonomy level: its rules and how long approvals wait. */
export const squadPolicySchema = z
  .object({
    rules: z.array(policyRuleSchema).max(100).default([]),
    /** Seconds a run waits for a decision before the approval expires (and the task is cancelled). */
    approvalTimeoutSeconds: z.number().int().min(1).max(MAX_APPROVAL_TIMEOUT_SECONDS).default(DEFAULT_APPROVAL_TIMEOUT_SECONDS),
  })
  .strict()
  .refine((p) => new Set(p.rules.map((r) => r.id)).size === p.rules.length, { message: "rule ids must be unique", path: ["rules"] });
export type SquadPolicy = z.infer<typeof squadPolicySchema>;

/**
 * The squad's stored policy (`squads.policy`), with defaults filled in. Stored policies are written
 * through {@link squadPolicySchema}; one that no longer parses (an older format) counts as no rules.
 */
export function parseSquadPolicy(stored: unknown): SquadPolicy {
  const parsed = squadPolicySchema.safeParse(stored ?? {});
  return parsed.success ? parsed.data : { rules: [], approvalTimeoutSeconds: DEFAULT_APPROVAL_TIMEOUT_SECONDS };
}
