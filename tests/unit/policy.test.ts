import { isDependencyFile } from "@/lib/policy/dependency-files";
import { evaluatePolicy, strictest } from "@/lib/policy/evaluate-policy";
import { deliveryFacts } from "@/lib/policy/facts";
import { parseSquadPolicy, squadPolicySchema, type PolicyRule } from "@/lib/policy/schemas";

const deliver = (paths: string[], diffLines = 10) => ({ action: "deliver" as const, paths, diffLines });

describe("policy engine", () => {
  test("autonomy alone: autonomous allows, supervised asks before delivering, human_required asks for everything", () => {
    const plan = { action: "plan" as const };
    expect(evaluatePolicy({ autonomy: "autonomous", rules: [] }, deliver(["src/a.js"])).decision).toBe("allow");
    expect(evaluatePolicy({ autonomy: "supervised", rules: [] }, plan).decision).toBe("allow");
    expect(evaluatePolicy({ autonomy: "supervised", rules: [] }, deliver(["src/a.js"]))).toMatchObject({
      decision: "require_approval",
      reason: expect.stringMatching(/autonomy is Supervised/),
      ruleId: null,
    });
    expect(evaluatePolicy({ autonomy: "human_required", rules: [] }, plan).decision).toBe("require_approval");
  });

  test("path globs match changed files (dotfiles too) and say which ones", () => {
    const rules: PolicyRule[] = [
      { id: "infra", effect: "require_approval", paths: ["infra/**", ".github/**"] },
      { id: "migrations", effect: "deny", paths: ["**/migrations/**"], reason: "No schema changes here" },
    ];
    expect(evaluatePolicy({ autonomy: "autonomous", rules }, deliver(["src/a.js"])).decision).toBe("allow");
    expect(evaluatePolicy({ autonomy: "autonomous", rules }, deliver([".github/workflows/ci.yml"]))).toMatchObject({
      decision: "require_approval",
      ruleId: "infra",
      reason: 'Rule "infra" asks a person to approve deliver that changes .github/workflows/ci.yml (infra/**, .github/**)',
    });
    // deny wins over require_approval, whatever the order of the rules
    expect(evaluatePolicy({ autonomy: "autonomous", rules }, deliver(["infra/main.tf", "db/migrations/1.sql"]))).toMatchObject({
      decision: "deny",
      ruleId: "migrations",
      reason: "No schema changes here",
    });
  });

  test("action, diff size and projected cost conditions", () => {
    const rules: PolicyRule[] = [
      { id: "big", effect: "require_approval", actions: ["deliver"], diffLinesOver: 500 },
      { id: "pricey", effect: "require_approval", actions: ["plan"], projectedCostOverUsdMicros: 2_000_000 },
    ];
    const policy = { autonomy: "autonomous" as const, rules };
    expect(evaluatePolicy(policy, deliver(["a.js"], 500)).decision).toBe("allow");
    expect(evaluatePolicy(policy, deliver(["a.js"], 501))).toMatchObject({ decision: "require_approval", ruleId: "big" });
    expect(evaluatePolicy(policy, { action: "plan", projectedCostUsdMicros: 1_000_000 }).decision).toBe("allow");
    expect(evaluatePolicy(policy, { action: "plan", projectedCostUsdMicros: 2_500_000 })).toMatchObject({
      decision: "require_approval",
      reason: expect.stringContaining("$2.50 (over $2.00)"),
    });
  });

  test("an allow rule exempts from supervision but not from human_required; an empty delivery is allowed", () => {
    const rules: PolicyRule[] = [{ id: "docs", effect: "allow", paths: ["docs/**"] }];
    expect(evaluatePolicy({ autonomy: "supervised", rules }, deliver(["docs/a.md"]))).toMatchObject({ decision: "allow", ruleId: "docs" });
    expect(evaluatePolicy({ autonomy: "supervised", rules }, deliver(["docs/a.md", "src/a.js"])).decision).toBe("require_approval");
    expect(evaluatePolicy({ autonomy: "human_required", rules }, deliver(["docs/a.md"])).decision).toBe("require_approval");
    expect(evaluatePolicy({ autonomy: "human_required", rules: [] }, deliver([], 0))).toMatchObject({
      decision: "allow",
      reason: expect.stringMatching(/Nothing to deliver/),
    });
  });

  test("dependency changes are their own action, and the strictest decision wins", () => {
    expect(isDependencyFile("package.json")).toBe(true);
    expect(isDependencyFile("services/api/requirements-dev.txt")).toBe(true);
    expect(isDependencyFile("go.sum")).toBe(true);
    expect(isDependencyFile("src/package.js")).toBe(false);
    const facts = deliveryFacts({ filesChanged: ["src/a.js", "package.json", "package-lock.json"], additions: 30, deletions: 2 });
    expect(facts).toEqual([
      { action: "deliver", paths: ["src/a.js", "package.json", "package-lock.json"], diffLines: 32 },
      { action: "dependency_change", paths: ["package.json", "package-lock.json"], diffLines: 32 },
    ]);
    const rules: PolicyRule[] = [{ id: "deps", effect: "require_approval", actions: ["dependency_change"] }];
    const decision = strictest(facts.map((f) => evaluatePolicy({ autonomy: "autonomous", rules }, f)));
    expect(decision).toMatchObject({ action: "dependency_change", decision: "require_approval", ruleId: "deps" });
  });

  test("stored policies are validated and defaulted", () => {
    expect(parseSquadPolicy({})).toEqual({ rules: [], approvalTimeoutSeconds: 86_400 });
    expect(parseSquadPolicy({ rules: [{ id: "x", effect: "explode" }] })).toEqual({ rules: [], approvalTimeoutSeconds: 86_400 });
    expect(squadPolicySchema.safeParse({ rules: [{ id: "a", effect: "deny" }, { id: "a", effect: "allow" }] }).success).toBe(false);
    expect(squadPolicySchema.safeParse({ approvalTimeoutSeconds: 0 }).success).toBe(false);
  });
});

describe("cost estimates", () => {
  test("each subtask costs its role kind's expected usage at its model's price; free models cost nothing", async () => {
    const { estimateRunCost, EXPECTED_USAGE } = await import("@/lib/budgets/estimate-run-cost");
    const price = { input: 3, output: 15 };
    const estimate = estimateRunCost(
      [
        { key: "build", role: "developer" },
        { key: "test", role: "qa_engineer" },
        { key: "review", role: "tech_lead" },
      ],
      (role) => (role === "qa_engineer" ? null : price),
    );
    const builder = EXPECTED_USAGE.builder;
    const reviewer = EXPECTED_USAGE.reviewer;
    expect(estimate.bySubtask).toEqual({
      build: builder.calls * (builder.inputTokens * 3 + builder.outputTokens * 15),
      test: 0,
      review: reviewer.calls * (reviewer.inputTokens * 3 + reviewer.outputTokens * 15),
    });
    expect(estimate.totalUsdMicros).toBe((estimate.bySubtask.build ?? 0) + (estimate.bySubtask.review ?? 0));
  });
});
