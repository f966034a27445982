import picomatch from "picomatch";
import type { SquadAutonomy } from "@/db/schema/squads";
import type { PolicyAction, PolicyEffect, PolicyRule } from "./schemas";


/** How people read the autonomy levels (the squad settings' labels), for decision reasons. */
const autonomyLabels: Record<SquadAutonomy, string> = { autonomous: "Autonomous", supervised: "Supervised", human_required: "Human required" };

/** The facts of one action a policy decides on. Sizes are lines; costs are USD micros. */
export type PolicyFacts = {
  action: PolicyAction;
  /** Repository-relative paths the action changes (deliver, dependency change). */
  paths?: string[];
  /** Lines added plus lines deleted. */
  diffLines?: number;
  /** The run's projected cost in USD micros (plan). */
  projectedCostUsdMicros?: number;
  /** The MCP tool called, as the model sees it (`mcp__<server>__<tool>`; `mcp_tool`). */
  tool?: string;
};

/** A policy's answer for one action, with the reason a person reads and the rule that decided (if any). */
export type PolicyDecision = {
  action: PolicyAction;
  decision: PolicyEffect;
  reason: string;
  ruleId: string | null;
};

const severity: Record<PolicyEffect, number> = { allow: 0, require_approval: 1, deny: 2 };

function formatUsd(micros: number): string {
  return `$${(micros / 1_000_000).toFixed(micros < 10_000 ? 4 : 2)}`;
}

/** What a matching rule says when it has no reason of its own. */
function describeMatch(rule: PolicyRule, facts: PolicyFacts, matchedPaths: string[]): string {
  const what: string[] = [];
  if (rule.paths) what.push(`changes ${matchedPaths.slice(0, 5).join(", ")}${matchedPaths.length > 5 ? ", …" : ""} (${rule.paths.join(", ")})`);
  if (rule.diffLinesOver !== undefined) what.push(`changes ${facts.diffLines ?? 0} lines (over ${rule.diffLinesOver})`);
  if (rule.projectedCostOverUsdMicros !== undefined) {
    what.push(`is projected to cost ${formatUsd(facts.projectedCostUsdMicros ?? 0)} (over ${formatUsd(rule.projectedCostOverUsdMicros)})`);
  }
  if (rule.tools) what.push(`calls ${facts.tool ?? "a tool"}`);
  const verb = rule.effect === "deny" ? "refuses" : rule.effect === "allow" ? "allows" : "asks a person to approve";
  return `Rule "${rule.id}" ${verb} ${facts.action.replace("_", " ")}${what.length > 0 ? ` that ${what.join(" and ")}` : ""}`;
}

/** The files of `facts` a rule's globs match, or null when the rule does not match the facts. */
function match(rule: PolicyRule, facts: PolicyFacts): string[] | null {
  if (rule.actions && !rule.actions.includes(facts.action)) return null;
  let matched: string[] = [];
  if (rule.paths) {
    const isMatch = picomatch(rule.paths, { dot: true });
    const paths = facts.paths ?? [];
    matched = paths.filter((p) => isMatch(p));
    // An exemption must cover the whole change; a restriction applies as soon as one file is affected.
    if (matched.length === 0 || (rule.effect === "allow" && matched.length < paths.length)) return null;
  }
  if (rule.diffLinesOver !== undefined && !((facts.diffLines ?? 0) > rule.diffLinesOver)) return null;
  if (rule.projectedCostOverUsdMicros !== undefined && !((facts.projectedCostUsdMicros ?? 0) > rule.projectedCostOverUsdMicros)) {
    return null;
  }
  if (rule.tools && !(facts.tool !== undefined && picomatch(rule.tools)(facts.tool))) return null;
  return matched;
}

/** What the squad's autonomy level alone says about an action. */
function baseline(autonomy: SquadAutonomy, facts: PolicyFacts): Omit<PolicyDecision, "action"> {
  if (facts.action === "mcp_tool") {
    return { decision: "allow", reason: `MCP tool calls are allowed unless a rule says otherwise (autonomy ${autonomyLabels[autonomy]})`, ruleId: null };
  }
  if (autonomy === "human_required") {
    return { decision: "require_approval", reason: "The squad's autonomy is Human required: a person approves every plan and delivery", ruleId: null };
  }
  if (autonomy === "supervised" && facts.action !== "plan") {
    return { decision: "require_approval", reason: "The squad's autonomy is Supervised: a person approves what it delivers", ruleId: null };
  }
  return { decision: "allow", reason: `The squad's autonomy (${autonomyLabels[autonomy]}) allows it`, ruleId: null };
}

/**
 * Decides one action. Pure and deterministic.
 *
 * 1. A delivery that changes no files is allowed: there is nothing to deliver.
 * 2. Otherwise every rule that matches is considered: a `deny` wins, then a `require_approval`.
 * 3. A matching `allow` rule exempts the action from the autonomy level — except under
 *    `human_required`, where a person always approves.
 * 4. With no matching rule the autonomy level decides: `autonomous` allows everything, `supervised`
 *    asks for deliveries and dependency changes, `human_required` asks for everything — except
 *    `mcp_tool` calls, which only rules restrict (an agent may make many; approving each is the rules' choice).
 */
export function evaluatePolicy(policy: { autonomy: SquadAutonomy; rules: PolicyRule[] }, facts: PolicyFacts): PolicyDecision {
  if (facts.action === "deliver" && facts.paths !== undefined && facts.paths.length === 0) {
    return { action: facts.action, decision: "allow", reason: "Nothing to deliver: the run changed no files", ruleId: null };
  }
  const matches = policy.rules
    .map((rule) => ({ rule, paths: match(rule, facts) }))
    .filter((m): m is { rule: PolicyRule; paths: string[] } => m.paths !== null);
  for (const effect of ["deny", "require_approval"] as const) {
    const hit = matches.find((m) => m.rule.effect === effect);
    if (hit) {
      return { action: facts.action, decision: effect, reason: hit.rule.reason ?? describeMatch(hit.rule, facts, hit.paths), ruleId: hit.rule.id };
    }
  }
  const exempt = matches.find((m) => m.rule.effect === "allow");
  if (exempt && policy.autonomy !== "human_required") {
    return { action: facts.action, decision: "allow", reason: exempt.rule.reason ?? describeMatch(exempt.rule, facts, exempt.paths), ruleId: exempt.rule.id };
  }
  return { action: facts.action, ...baseline(policy.autonomy, facts) };
}

/** The strictest of several decisions (deny > require_approval > allow); the first among equals. */
export function strictest(decisions: PolicyDecision[]): PolicyDecision {
  return decisions.reduce((a, b) => (severity[b.decision] > severity[a.decision] ? b : a));
}
