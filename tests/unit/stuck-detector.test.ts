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

  describe("progress is not a loop", () => {
    const tests = { name: "run_tests", arguments: {} };
    const edit = (n: number) => ({ name: "edit_file", arguments: { path: "src/app.js", old_str: `v${n}`, new_str: `v${n + 1}` } });
    const write = (content: string) => ({ name: "write_file", arguments: { path: "src/app.js", content } });
    /** One turn of calls that all succeed: the verdict of the turn (before or after). */
    const turn = (d: StuckDetector, ...calls: { name: string; arguments: Record<string, unknown> }[]) => {
      const before = d.beforeTools(calls);
      if (before.stuck) return before;
      return d.afterTools(calls.map((call) => ({ call, ok: true })));
    };

    test("re-running the tests after each edit is never a loop", () => {
      const d = new StuckDetector({ repeatedCalls: 3, idleTurns: 3 });
      for (let n = 0; n < 10; n++) {
        expect(turn(d, tests).stuck).toBe(false);
        expect(turn(d, edit(n)).stuck).toBe(false);
      }
      // An edit and the test run in the same turn count the same way.
      for (let n = 10; n < 15; n++) expect(turn(d, edit(n), tests).stuck).toBe(false);
    });

    test("re-running the tests after a command that edits files (a formatter, sed -i) is not a loop; the same command again is", () => {
      const d = new StuckDetector({ repeatedCalls: 3, idleTurns: 3 });
      const command = (n: number) => ({ name: "run_command", arguments: { command: `sed -i 's/v${n}/v${n + 1}/' src/app.js` } });
      for (let n = 0; n < 6; n++) {
        expect(turn(d, tests).stuck).toBe(false);
        expect(turn(d, command(n)).stuck).toBe(false);
      }
      const same = { name: "run_command", arguments: { command: "npm run format" } };
      expect(turn(d, same).stuck).toBe(false);
      expect(turn(d, same).stuck).toBe(false);
      expect(turn(d, same).stuck).toBe(true);
    });

    test("re-reading a file after writing it is not a loop", () => {
      const d = new StuckDetector({ repeatedCalls: 3, idleTurns: 3 });
      for (let n = 0; n < 6; n++) {
        expect(turn(d, read("src/app.js")).stuck).toBe(false);
        expect(turn(d, write(`version ${n}`)).stuck).toBe(false);
      }
    });

    test("a failed edit does not count as a change: the tests run three times on the same code are a loop", () => {
      const d = new StuckDetector({ repeatedCalls: 3, idleTurns: 99 });
      turn(d, tests);
      d.beforeTools([edit(0)]);
      d.afterTools([{ call: edit(0), ok: false }]);
      expect(turn(d, tests).stuck).toBe(false);
      expect(turn(d, tests)).toMatchObject({ stuck: true, reason: expect.stringMatching(/run_tests 3 times/) });
    });
  });

  describe("real loops still escalate", () => {
    const tests = { name: "run_tests", arguments: {} };
    const write = { name: "write_file", arguments: { path: "src/app.js", content: "same" } };
    const turn = (d: StuckDetector, call: { name: string; arguments: Record<string, unknown> }) => {
      const before = d.beforeTools([call]);
      return before.stuck ? before : d.afterTools([{ call, ok: true }]);
    };

    test("writing the same content and running the tests, over and over", () => {
      const d = new StuckDetector({ repeatedCalls: 3, idleTurns: 99 });
      const verdicts = [write, tests, write, tests, write].map((c) => turn(d, c));
      expect(verdicts.slice(0, 4).every((v) => !v.stuck)).toBe(true);
      expect(verdicts[4]).toMatchObject({ stuck: true, reason: expect.stringMatching(/write_file .* 3 times/) });
    });

    test("the same read with nothing changed in between", () => {
      const d = new StuckDetector({ repeatedCalls: 3, idleTurns: 99 });
      expect(turn(d, read("a.js")).stuck).toBe(false);
      expect(turn(d, tests).stuck).toBe(false);
      expect(turn(d, read("a.js")).stuck).toBe(false);
      expect(turn(d, read("a.js")).stuck).toBe(true);
    });

    test("alternating the same two observations makes no progress", () => {
      const d = new StuckDetector({ repeatedCalls: 99, idleTurns: 3 });
      expect(turn(d, read("a.js")).stuck).toBe(false);
      expect(turn(d, tests).stuck).toBe(false);
      expect(turn(d, read("a.js")).stuck).toBe(false);
      expect(turn(d, tests).stuck).toBe(false);
      expect(turn(d, read("a.js"))).toMatchObject({ stuck: true, reason: expect.stringMatching(/no progress in 3 turns/) });
    });
  });
});
