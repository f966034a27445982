import { agentRoles } from "@/db/schema/squads";
import { assigneeFor, roleDefinitions, roleKind } from "@/lib/agents/roles";
import { workspaceTools } from "@/lib/workspace";
import { planProblem } from "@/lib/tasks/workflow";

describe("roles", () => {
  test("every role has a persona, tools the runtime knows, and a kind", () => {
    const known = new Set([...workspaceTools.map((t) => t.name), "ask_teammate"]);
    for (const role of agentRoles) {
      const def = roleDefinitions[role];
      expect(def.role).toBe(role);
      expect(def.persona.length).toBeGreaterThan(50);
      for (const tool of def.tools) expect(known.has(tool)).toBe(true);
    }
    expect(roleDefinitions.product_manager.tools).toEqual([]);
    expect(roleDefinitions.architect.tools).not.toContain("write_file");
    expect(roleDefinitions.qa_engineer.tools).toContain("run_tests");
    expect(roleDefinitions.qa_engineer.tier).toBe("economy");
    expect(agentRoles.filter((r) => roleKind(r) === "builder").sort()).toEqual([
      "backend_developer",
      "developer",
      "devops_engineer",
      "frontend_developer",
    ]);
  });

  test("a subtask goes to its role, or to a stand-in the squad has, or to nobody", () => {
    const squad = ["product_manager", "developer", "qa_engineer", "tech_lead"] as const;
    expect(assigneeFor("qa_engineer", squad)).toBe("qa_engineer");
    expect(assigneeFor("backend_developer", squad)).toBe("developer");
    expect(assigneeFor("architect", squad)).toBe("tech_lead");
    expect(assigneeFor("frontend_developer", ["product_manager", "backend_developer"])).toBe("backend_developer");
    expect(assigneeFor("qa_engineer", ["product_manager", "developer"])).toBeNull();
  });

  test("a plan for roles the squad cannot cover is sent back with the reason", () => {
    const plan = {
      summary: "S",
      subtasks: [
        { key: "a", title: "A", description: "", role: "developer" as const, dependsOn: [] },
        { key: "b", title: "B", description: "", role: "qa_engineer" as const, dependsOn: ["a"] },
      ],
    };
    expect(planProblem(plan, ["product_manager", "developer", "qa_engineer"])).toBeNull();
    expect(planProblem(plan, ["product_manager", "developer"])).toMatch(/Subtask b is for the qa_engineer role, which this squad does not have/);
    expect(planProblem({ ...plan, subtasks: [{ ...plan.subtasks[0], dependsOn: ["a"] }] }, ["developer"])).toMatch(/cycle/);
  });
});

describe("the role catalog is the one list of roles", () => {
  test("plan roles, labels and kinds derive from it", async () => {
    const { agentRoleCatalog, subtaskRoles } = await import("@/db/schema/agent-roles");
    const { planSchema } = await import("@/lib/llm/schemas");
    const { roleLabel: uiLabel } = await import("@/components/tasks/format");
    const planRole = planSchema.shape.subtasks.element.shape.role;
    expect([...planRole.options].sort()).toEqual([...subtaskRoles].sort());
    expect(subtaskRoles).not.toContain("product_manager");
    for (const role of agentRoles) {
      expect(uiLabel(role)).toBe(agentRoleCatalog[role].label);
      expect(roleKind(role)).toBe(agentRoleCatalog[role].kind);
    }
    expect(uiLabel("system")).toBe("System");
  });
});
