import { formPathOf, fromPolicy, toPolicy } from "@/components/squads/policy-form";
import { sourceUrl } from "@/components/tasks/task-description";
import { parseUsdToMicros, usdAmountSchema } from "@/components/tasks/money";
import { evaluatePolicy } from "@/lib/policy/evaluate-policy";

/** The settings pages' conversions between what a person types and what the API takes. */
describe("policy editor form ↔ squadPolicySchema", () => {
  const rule = { id: "no-migrations", effect: "deny" as const, actions: ["deliver" as const], paths: "**/migrations/**\nmigrations/**", diffLinesOver: "", projectedCostOverUsd: "1.5", reason: " DBA first " };

  test("typed values become a valid policy: globs split by line, dollars to micros, hours to seconds, blanks omitted", () => {
    const parsed = toPolicy({ rules: [rule], approvalTimeoutHours: "2" });
    expect(parsed.success).toBe(true);
    expect(parsed.data).toEqual({
      rules: [{ id: "no-migrations", effect: "deny", actions: ["deliver"], paths: ["**/migrations/**", "migrations/**"], projectedCostOverUsdMicros: 1_500_000, reason: "DBA first" }],
      approvalTimeoutSeconds: 7200,
    });
    // Round trip: what the page shows for the stored policy converts back to the same policy.
    expect(toPolicy(fromPolicy(parsed.data!)).data).toEqual(parsed.data);
  });

  test("invalid values are refused by the API's schema, with paths that point at the form's fields", () => {
    const parsed = toPolicy({ rules: [{ ...rule, id: " " }, { ...rule, id: "b", diffLinesOver: "many" }], approvalTimeoutHours: "0" });
    expect(parsed.success).toBe(false);
    const paths = parsed.error!.issues.map((i) => formPathOf(i.path)).sort();
    expect(paths).toEqual(["approvalTimeoutHours", "rules.0.id", "rules.1.diffLinesOver"]);
    const duplicate = toPolicy({ rules: [rule, rule], approvalTimeoutHours: "24" });
    expect(duplicate.error?.issues[0]?.message).toBe("rule ids must be unique");
    expect(formPathOf(["rules", 0, "paths", 2])).toBe("rules.0.paths");
  });

  test("the preview decides as the workflow would: the rule that matches a migration refuses it", () => {
    // Every condition of a rule must hold: without the cost condition, a changed migration is enough.
    const policy = toPolicy({ rules: [{ ...rule, projectedCostOverUsd: "" }], approvalTimeoutHours: "24" }).data!;
    const withCost = toPolicy({ rules: [rule], approvalTimeoutHours: "24" }).data!;
    expect(evaluatePolicy({ autonomy: "autonomous", rules: withCost.rules }, { action: "deliver", paths: ["db/migrations/0002.sql"], diffLines: 10 }).ruleId).toBeNull();
    const onMigration = evaluatePolicy({ autonomy: "autonomous", rules: policy.rules }, { action: "deliver", paths: ["db/migrations/0002.sql"], diffLines: 10 });
    expect(onMigration).toMatchObject({ decision: "deny", ruleId: "no-migrations", reason: "DBA first" });
    const elsewhere = evaluatePolicy({ autonomy: "autonomous", rules: policy.rules }, { action: "deliver", paths: ["src/app.ts"], diffLines: 10 });
    expect(elsewhere).toMatchObject({ decision: "allow", ruleId: null });
  });
});

describe("money and links typed or shown on the pages", () => {
  test("a USD amount is empty or positive with at most six decimals, and converts to micros", () => {
    const schema = usdAmountSchema("Budget");
    expect(schema.safeParse("").success).toBe(true);
    expect(schema.safeParse(" 2.50 ").success).toBe(true);
    for (const bad of ["0", "-1", "two", "1.1234567", "1e3", "10000000"]) expect({ bad, ok: schema.safeParse(bad).success }).toEqual({ bad, ok: false });
    expect(schema.safeParse("abc").error?.issues[0]?.message).toBe("Budget must be a positive amount in USD, e.g. 2.50");
    expect(parseUsdToMicros("2.5")).toBe(2_500_000);
    expect(parseUsdToMicros("0.000001")).toBe(1);
  });

  test("a GitHub source ref links to its issue; other refs have no address", () => {
    expect(sourceUrl("github:octo/todo-api#12")).toBe("https://github.com/octo/todo-api/issues/12");
    expect(sourceUrl("jira:00000000-0000-4000-8000-000000000000:PROJ-7")).toBeNull();
    expect(sourceUrl("github:octo/todo-api#12\" onclick=\"x")).toBeNull();
    expect(sourceUrl(null)).toBeNull();
  });
});
