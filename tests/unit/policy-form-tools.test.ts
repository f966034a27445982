import { formPathOf, fromPolicy, showsTools, toPolicy, type RuleForm } from "@/components/squads/policy-form";
import { evaluatePolicy } from "@/lib/policy/evaluate-policy";

/** The policy editor keeps a rule's MCP `tools` globs through load and save (they used to be dropped). */
describe("policy editor form ↔ squadPolicySchema: MCP tools", () => {
  const blank: RuleForm = { id: "", effect: "deny", actions: [], paths: "", diffLinesOver: "", projectedCostOverUsd: "", tools: "", reason: "" };
  const noIssues: RuleForm = { ...blank, id: "no-issues", actions: ["mcp_tool"], tools: " mcp__github__create_issue \nmcp__jira__*, mcp__linear__create_*" };

  test("typed globs become the rule's tools, and the stored policy loads back to the same policy", () => {
    const parsed = toPolicy({ rules: [noIssues], approvalTimeoutHours: "24" });
    expect(parsed.success).toBe(true);
    expect(parsed.data!.rules).toEqual([{ id: "no-issues", effect: "deny", actions: ["mcp_tool"], tools: ["mcp__github__create_issue", "mcp__jira__*", "mcp__linear__create_*"] }]);
    const form = fromPolicy(parsed.data!);
    expect(form.rules[0]!.tools).toBe("mcp__github__create_issue\nmcp__jira__*\nmcp__linear__create_*");
    expect(toPolicy(form).data).toEqual(parsed.data);
    // A rule without tools loads with an empty field and saves without `tools` (every MCP tool).
    const every = toPolicy({ rules: [{ ...noIssues, tools: "" }], approvalTimeoutHours: "24" });
    expect(every.data!.rules[0]).toEqual({ id: "no-issues", effect: "deny", actions: ["mcp_tool"] });
    expect(fromPolicy(every.data!).rules[0]!.tools).toBe("");
  });

  test("the saved rule denies the one tool, not every MCP tool", () => {
    const { rules } = toPolicy(fromPolicy(toPolicy({ rules: [noIssues], approvalTimeoutHours: "24" }).data!)).data!;
    expect(evaluatePolicy({ autonomy: "autonomous", rules }, { action: "mcp_tool", tool: "mcp__github__create_issue" })).toMatchObject({ decision: "deny", ruleId: "no-issues" });
    expect(evaluatePolicy({ autonomy: "autonomous", rules }, { action: "mcp_tool", tool: "mcp__github__list_issues" })).toMatchObject({ decision: "allow", ruleId: null });
  });

  test("tools with other actions are refused with the API's message, on the actions field", () => {
    for (const actions of [["mcp_tool", "deliver"], ["deliver"], []] as RuleForm["actions"][]) {
      const parsed = toPolicy({ rules: [{ ...noIssues, actions }], approvalTimeoutHours: "24" });
      expect(parsed.success).toBe(false);
      const issue = parsed.error!.issues[0]!;
      expect(issue.message).toBe('a rule with tools must have actions ["mcp_tool"]');
      expect(formPathOf(issue.path)).toBe("rules.0.actions");
    }
  });

  test("the Tools field shows for mcp_tool rules, and for any rule that still has tools", () => {
    expect(showsTools(blank)).toBe(false);
    expect(showsTools({ ...blank, actions: ["deliver"] })).toBe(false);
    expect(showsTools({ ...blank, actions: ["mcp_tool"] })).toBe(true);
    expect(showsTools({ ...blank, actions: ["deliver"], tools: "mcp__x__y" })).toBe(true);
  });
});
