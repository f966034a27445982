import { AppError } from "@/lib/errors";
import { ancestorsOf, dependentsOf, runPlanGraph } from "@/lib/tasks/plan-graph";
import { planToMarkdown, validatePlanGraph } from "@/lib/tasks/workflow";

const subtask = (key: string, dependsOn: string[] = []) => ({
  key,
  title: `Do ${key}`,
  description: "",
  role: "developer" as const,
  dependsOn,
});

describe("plan graph", () => {
  test("a DAG passes and renders its dependencies", () => {
    const plan = { summary: "S", subtasks: [subtask("a"), subtask("b", ["a"]), subtask("c", ["a", "b"])] };
    expect(() => validatePlanGraph(plan)).not.toThrow();
    expect(planToMarkdown(plan)).toContain("**c** [developer] Do c (after a, b)");
  });

  test("a cycle is refused with the path that closes it", () => {
    const plan = { summary: "S", subtasks: [subtask("a", ["c"]), subtask("b", ["a"]), subtask("c", ["b"])] };
    expect(() => validatePlanGraph(plan)).toThrow(AppError);
    expect(() => validatePlanGraph(plan)).toThrow(/cycle: a → c → b → a/);
  });

  test("a self-dependency, an unknown key and duplicate keys are refused", () => {
    expect(() => validatePlanGraph({ summary: "", subtasks: [subtask("a", ["a"])] })).toThrow(/cycle/);
    expect(() => validatePlanGraph({ summary: "", subtasks: [subtask("a", ["zz"])] })).toThrow(/unknown subtask zz/);
    expect(() => validatePlanGraph({ summary: "", subtasks: [subtask("a"), subtask("a")] })).toThrow(/duplicate/);
  });
});

describe("running a plan graph", () => {
  const node = (key: string, dependsOn: string[] = []) => ({ key, dependsOn });

  test("independent subtasks start together; a subtask starts once all of its dependencies completed", async () => {
    const log: string[] = [];
    const gates = new Map<string, () => void>();
    const nodes = [node("a"), node("b"), node("c", ["a", "b"])];
    const running = runPlanGraph(nodes, {
      completed: new Set(),
      run: (key) =>
        new Promise((resolve) => {
          log.push(`start ${key}`);
          gates.set(key, () => {
            log.push(`end ${key}`);
            resolve("completed");
          });
        }),
      block: async () => {},
    });
    await new Promise((r) => setTimeout(r, 0));
    expect(log).toEqual(["start a", "start b"]);
    gates.get("a")?.();
    await new Promise((r) => setTimeout(r, 0));
    expect(log).toEqual(["start a", "start b", "end a"]);
    gates.get("b")?.();
    await new Promise((r) => setTimeout(r, 0));
    expect(log.at(-1)).toBe("start c");
    gates.get("c")?.();
    expect(await running).toEqual({ a: "completed", b: "completed", c: "completed" });
  });

  test("a failed subtask blocks everything after it, not its siblings; completed ones are not run again", async () => {
    const ran: string[] = [];
    const blocked: [string, string[]][] = [];
    const nodes = [node("done"), node("a", ["done"]), node("b", ["a"]), node("c"), node("d", ["b", "c"])];
    const outcomes = await runPlanGraph(nodes, {
      completed: new Set(["done"]),
      run: async (key) => {
        ran.push(key);
        return key === "a" ? "failed" : "completed";
      },
      block: async (key, because) => {
        blocked.push([key, because]);
      },
    });
    expect(outcomes).toEqual({ done: "completed", a: "failed", b: "blocked", c: "completed", d: "blocked" });
    expect(ran.sort()).toEqual(["a", "c"]);
    expect(blocked).toEqual([
      ["b", ["a"]],
      ["d", ["b"]],
    ]);
  });

  test("dependents and ancestors follow the edges transitively", () => {
    const nodes = [node("a"), node("b", ["a"]), node("c", ["b"]), node("d")];
    expect(dependentsOf(nodes, "a").sort()).toEqual(["b", "c"]);
    expect(ancestorsOf(nodes, "c").sort()).toEqual(["a", "b"]);
    expect(ancestorsOf(nodes, "d")).toEqual([]);
  });
});
