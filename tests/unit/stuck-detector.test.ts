import { callSignature, StuckDetector } from "@/lib/agents/stuck-detector";

const read = (path: string) => ({ name: "read_file", arguments: { path } });

describe("stuck-loop detection", () => {
  test("the same call with the same arguments a third time is a loop; argument order does not matter", () => {
    const d = new StuckDetector({ repeatedCalls: 3, idleTurns: 10 });
    expect(d.beforeTools([read("a.js")]).stuck).toBe(false);
    expect(d.beforeTools([read("b.js")]).stuck).toBe(false);
    expect(d.beforeTools([read("a.js")]).stuck).toBe(false);
    const verdict = d.beforeTools([read("a.js")]);
    expect(verdict).toMatchObject({ stuck: true, reason: 'called read_file {"path":"a.js"} 3 times with the same arguments' });
    expect(callSignature({ name: "x", arguments: { a: 1, b: [1, { d: 2, c: 3 }] } })).toBe(
      callSignature({ name: "x", arguments: { b: [1, { c: 3, d: 2 }], a: 1 } }),
    );
  });

  test("turns without progress (failing or repeated calls) add up; a successful write resets them", () => {
    const d = new StuckDetector({ repeatedCalls: 99, idleTurns: 3 });
    const turn = (call: { name: string; arguments: Record<string, unknown> }, ok: boolean) => {
      d.beforeTools([call]);
      return d.afterTools([{ call, ok }]);
    };
    expect(turn(read("missing.js"), false).stuck).toBe(false);
    expect(turn(read("missing.js"), false).stuck).toBe(false);
    expect(turn({ name: "write_file", arguments: { path: "x.js", content: "1" } }, true).stuck).toBe(false);
    expect(turn(read("missing.js"), false).stuck).toBe(false);
    expect(turn(read("other.js"), false).stuck).toBe(false);
    expect(turn(read("missing.js"), false)).toMatchObject({ stuck: true, reason: expect.stringMatching(/no progress in 3 turns/) });
    d.reset();
    expect(turn(read("missing.js"), false).stuck).toBe(false);
  });

  test("new successful calls are progress", () => {
    const d = new StuckDetector({ repeatedCalls: 99, idleTurns: 2 });
    for (const file of ["a", "b", "c", "d"]) {
      d.beforeTools([read(file)]);
      expect(d.afterTools([{ call: read(file), ok: true }]).stuck).toBe(false);
    }
  });
});
