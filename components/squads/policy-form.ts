import { z } from "zod";
import { policyActions, policyEffects, squadPolicySchema, type PolicyRule, type SquadPolicy } from "@/lib/policy/schemas";

/*
 * The policy editor's form values (strings as typed) and their conversion to the API's
 * `squadPolicySchema`, which then validates them: the same rules as `PATCH /api/v1/squads/{id}`.
 */

export const ruleFormSchema = z.object({
  id: z.string(),
  effect: z.enum(policyEffects),
  actions: z.array(z.enum(policyActions)),
  /** One glob per line (or comma-separated). */
  paths: z.string(),
  diffLinesOver: z.string(),
  projectedCostOverUsd: z.string(),
  /** MCP tool globs (`mcp__github__*`), one per line (or comma-separated); only with `actions: ["mcp_tool"]`; absent: none. */
  tools: z.string().optional(),
  reason: z.string(),
});
export type RuleForm = z.infer<typeof ruleFormSchema>;

export const policyFormSchema = z.object({
  rules: z.array(ruleFormSchema),
  approvalTimeoutHours: z.string(),
});
export type PolicyForm = z.infer<typeof policyFormSchema>;

const splitList = (s: string) =>
  s
    .split(/[\n,]/)
    .map((p) => p.trim())
    .filter(Boolean);

/** A number typed in a field: the number, undefined when empty, NaN when not a number (the schema then says so). */
const numberOf = (s: string) => (s.trim() === "" ? undefined : Number(s.trim()));

/** One rule as the API takes it (fields left empty are omitted); may not be valid yet. */
export function toRule(r: RuleForm): Record<string, unknown> {
  const cost = numberOf(r.projectedCostOverUsd);
  return {
    id: r.id.trim(),
    effect: r.effect,
    ...(r.actions.length > 0 ? { actions: r.actions } : {}),
    ...(splitList(r.paths).length > 0 ? { paths: splitList(r.paths) } : {}),
    ...(numberOf(r.diffLinesOver) !== undefined ? { diffLinesOver: numberOf(r.diffLinesOver) } : {}),
    ...(cost !== undefined ? { projectedCostOverUsdMicros: Number.isFinite(cost) ? Math.round(cost * 1_000_000) : cost } : {}),
    ...(splitList(r.tools ?? "").length > 0 ? { tools: splitList(r.tools ?? "") } : {}),
    ...(r.reason.trim() ? { reason: r.reason.trim() } : {}),
  };
}

/** The form's values as a policy, validated by `squadPolicySchema`. */
export function toPolicy(form: PolicyForm) {
  const hours = numberOf(form.approvalTimeoutHours);
  return squadPolicySchema.safeParse({
    rules: form.rules.map(toRule),
    ...(hours !== undefined ? { approvalTimeoutSeconds: Number.isFinite(hours) ? Math.round(hours * 3600) : hours } : {}),
  });
}

/** The form values of a stored policy. */
export function fromPolicy(policy: SquadPolicy): PolicyForm {
  return {
    rules: policy.rules.map((r: PolicyRule) => ({
      id: r.id,
      effect: r.effect,
      actions: r.actions ?? [],
      paths: (r.paths ?? []).join("\n"),
      diffLinesOver: r.diffLinesOver !== undefined ? String(r.diffLinesOver) : "",
      projectedCostOverUsd: r.projectedCostOverUsdMicros !== undefined ? String(r.projectedCostOverUsdMicros / 1_000_000) : "",
      tools: (r.tools ?? []).join("\n"),
      reason: r.reason ?? "",
    })),
    approvalTimeoutHours: String(policy.approvalTimeoutSeconds / 3600),
  };
}

/** Whether the form shows a rule's "Tools (globs)" field: its actions include `mcp_tool`, or it has tools already (so they are never hidden). */
export function showsTools(r: Pick<RuleForm, "actions" | "tools">): boolean {
  return (r.actions ?? []).includes("mcp_tool") || (r.tools ?? "").trim() !== "";
}

/** Where an issue of `squadPolicySchema` belongs in the form (`rules.0.projectedCostOverUsdMicros` → `rules.0.projectedCostOverUsd`). */
export function formPathOf(path: PropertyKey[]): string {
  const mapped = path.map((p) => (p === "projectedCostOverUsdMicros" ? "projectedCostOverUsd" : p === "approvalTimeoutSeconds" ? "approvalTimeoutHours" : String(p)));
  // Errors on a list entry (e.g. `paths.0`) belong to the field that holds the list.
  if (mapped[0] === "rules" && mapped.length > 3) return mapped.slice(0, 3).join(".");
  return mapped.join(".");
}
