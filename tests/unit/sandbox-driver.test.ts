// Sandbox selection, the unsandboxed fallback (warning, refusal), limits and the bwrap argument list.
// None of these need bubblewrap installed.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { AppError } from "@/lib/errors";
import { runTests } from "@/lib/workspace";
import {
  bubblewrapArgs,
  defaultSandboxLimits,
  findExecutable,
  pickSandboxId,
  prlimitArgs,
  selectSandboxDriver,
  stripUnsandboxedWarning,
  unsandboxedAllowed,
  unsandboxedDriver,
  UNSANDBOXED_WARNING_PREFIX,
  type BubblewrapPlan,
} from "@/lib/workspace/sandbox";
import { SANDBOX_ID_RANGE } from "@/lib/workspace/sandbox/host";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "squadron-sandbox-driver-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("unsandboxed fallback", () => {
  test("where bubblewrap is missing and unsandboxed runs are allowed, output starts with a warning", async () => {
    const driver = await selectSandboxDriver({ bwrapPath: null, allowUnsandboxed: true });
    expect(driver.kind).toBe("none");
    const res = await runTests(dir, "echo hello", { sandbox: driver });
    expect(res).toMatchObject({ sandbox: "none", passed: true, exitCode: 0 });
    const [first, ...rest] = res.output.split("\n");
    expect(first).toContain(UNSANDBOXED_WARNING_PREFIX);
    expect(first).toContain("bubblewrap is not installed");
    expect(first).toContain("SANDBOX_ALLOW_UNSANDBOXED=0");
    expect(rest.join("\n").trim()).toBe("hello");
    expect(stripUnsandboxedWarning(res.output)).toBe("hello\n");
  });

  test("where bubblewrap is missing and unsandboxed runs are not allowed, a clear error", async () => {
    const attempt = selectSandboxDriver({ bwrapPath: null, allowUnsandboxed: false });
    await expect(attempt).rejects.toBeInstanceOf(AppError);
    await expect(attempt).rejects.toMatchObject({ code: "unavailable" });
    await expect(attempt).rejects.toThrow(/must run in a sandbox.*bubblewrap is not installed.*SANDBOX_ALLOW_UNSANDBOXED=1/s);
  });

  test("a bwrap that cannot run counts as unavailable (trial run), with its failure in the reason", async () => {
    const broken = "/bin/false"; // stands in for a bwrap without permission to create namespaces
    await expect(selectSandboxDriver({ bwrapPath: broken, allowUnsandboxed: false })).rejects.toThrow(
      /bubblewrap \(\/bin\/false\) failed a trial run/,
    );
    const fallback = await selectSandboxDriver({ bwrapPath: broken, allowUnsandboxed: true });
    expect(fallback.kind).toBe("none");
  });

  test("SANDBOX_ALLOW_UNSANDBOXED defaults to on for the embedded default, off when hosted; explicit wins", () => {
    expect(unsandboxedAllowed({ SANDBOX_ALLOW_UNSANDBOXED: undefined, SQUADRON_HOSTED: false })).toBe(true);
    expect(unsandboxedAllowed({ SANDBOX_ALLOW_UNSANDBOXED: undefined, SQUADRON_HOSTED: true })).toBe(false);
    expect(unsandboxedAllowed({ SANDBOX_ALLOW_UNSANDBOXED: true, SQUADRON_HOSTED: true })).toBe(true);
    expect(unsandboxedAllowed({ SANDBOX_ALLOW_UNSANDBOXED: false, SQUADRON_HOSTED: false })).toBe(false);
  });

  test("the unsandboxed driver still scrubs secrets and applies the CPU limit (with prlimit)", async () => {
    const saved = process.env.GITHUB_TOKEN;
    process.env.GITHUB_TOKEN = "ghp_should_not_leak";
    try {
      const driver = unsandboxedDriver("test");
      const env = await runTests(dir, "env", { sandbox: driver });
      expect(env.output).not.toContain("should_not_leak");
      if (await findExecutable("prlimit")) {
        const loop = await runTests(dir, `node -e "for (;;) {}"`, { sandbox: driver, timeoutMs: 9_000, limits: { cpuSeconds: 1 } });
        expect(loop).toMatchObject({ passed: false, timedOut: false });
        expect(loop.durationMs).toBeLessThan(8_000);
      }
    } finally {
      if (saved === undefined) delete process.env.GITHUB_TOKEN;
      else process.env.GITHUB_TOKEN = saved;
    }
  }, 15_000);
});

describe("limits", () => {
  test("defaults come from lib/env.ts; CPU seconds follow the wall time unless set", () => {
    const limits = defaultSandboxLimits();
    expect(limits).toEqual({
      timeoutMs: 120_000,
      maxOutputBytes: 64 * 1024,
      cpuSeconds: 120,
      memoryBytes: 2048 * 1024 * 1024,
      maxProcesses: 512,
      maxFileBytes: 512 * 1024 * 1024,
      tmpBytes: 512 * 1024 * 1024,
    });
    expect(defaultSandboxLimits({ timeoutMs: 1_500 }).cpuSeconds).toBe(2);
    expect(defaultSandboxLimits({ timeoutMs: 1_500, cpuSeconds: 7 }).cpuSeconds).toBe(7);
  });

  test("prlimit arguments: soft CPU limit then SIGKILL a second later; process count only on request", () => {
    const limits = defaultSandboxLimits({ timeoutMs: 10_000, memoryBytes: 1024, maxFileBytes: 2048, maxProcesses: 64 });
    expect(prlimitArgs(limits, { processes: true })).toEqual([
      "--cpu=10:11",
      "--data=1024",
      "--fsize=2048",
      "--nproc=64",
      "--core=0",
      "--",
    ]);
    expect(prlimitArgs(limits, { processes: false })).not.toContain("--nproc=64");
  });
});

describe("sandbox user ids", () => {
  test("picked from the high range when the id map covers it", () => {
    const id = pickSandboxId("         0          0 4294967295\n", () => 0.5);
    expect(id).toBeGreaterThanOrEqual(SANDBOX_ID_RANGE.start);
    expect(id).toBeLessThan(SANDBOX_ID_RANGE.end);
  });

  test("from the top of a rootless container's 65536 ids, never root or nobody; none when only root is mapped", () => {
    for (const r of [0, 0.5, 0.999]) {
      const id = pickSandboxId("0 100000 65536\n", () => r);
      expect(id).toBeGreaterThanOrEqual(1000);
      expect(id).toBeLessThan(65534);
    }
    expect(pickSandboxId("0 1000 1\n")).toBeNull();
  });
});

describe("bubblewrap arguments", () => {
  const plan = (identity: BubblewrapPlan["identity"]): BubblewrapPlan => ({
    worktree: "/srv/data/worktrees/t1",
    command: "npm test",
    limits: defaultSandboxLimits(),
    identity,
    prlimit: "/usr/bin/prlimit",
    setpriv: "/usr/bin/setpriv",
    system: [
      { path: "/usr", symlink: null },
      { path: "/bin", symlink: "usr/bin" },
    ],
    generated: "/tmp/gen",
    git: {
      dotGit: "/srv/data/worktrees/t1/.git",
      dirs: ["/srv/data/repos/app/.git"],
      configs: ["/srv/data/repos/app/.git/config"],
    },
    readOnly: ["/usr", "/opt/node"],
  });
  const pairs = (args: string[], flag: string) =>
    args.flatMap((a, i) => (a === flag ? [`${args[i + 1]} ${args[i + 2]}`] : []));

  test("no network, own PID namespace, dies with its parent, root read-only, worktree the only host folder written", () => {
    const args = bubblewrapArgs(plan({ mode: "drop-root", uid: 1_500_000_001, gid: 1_500_000_001 }));
    for (const flag of ["--unshare-net", "--unshare-pid", "--unshare-ipc", "--die-with-parent", "--new-session"]) {
      expect(args).toContain(flag);
    }
    expect(pairs(args, "--bind")).toEqual(["/srv/data/worktrees/t1 /srv/data/worktrees/t1"]);
    expect(pairs(args, "--ro-bind")).toEqual(
      expect.arrayContaining([
        "/usr /usr",
        "/srv/data/repos/app/.git /srv/data/repos/app/.git",
        "/srv/data/worktrees/t1/.git /srv/data/worktrees/t1/.git",
        "/tmp/gen/gitconfig-0 /srv/data/repos/app/.git/config",
        "/tmp/gen/passwd /etc/passwd",
      ]),
    );
    expect(pairs(args, "--ro-bind-try")).toContain("/opt/node /opt/node");
    expect(pairs(args, "--ro-bind-try").some((p) => p.startsWith("/etc/ssl/private"))).toBe(false);
    const remount = args.indexOf("--remount-ro");
    expect(args.slice(remount)).toEqual(expect.arrayContaining(["/"]));
    // /srv/data/repos is created as a plain folder on the (read-only) root: sibling repositories are absent.
    expect(pairs(args, "--ro-bind").some((p) => p.includes("/srv/data/repos "))).toBe(false);
    expect(args.slice(-3)).toEqual(["/bin/sh", "-c", "npm test"]);
  });

  test("as root: limits, then a drop to the sandbox's own uid keeping only CAP_DAC_OVERRIDE", () => {
    const args = bubblewrapArgs(plan({ mode: "drop-root", uid: 1_500_000_001, gid: 1_500_000_002 }));
    const tail = args.slice(args.indexOf("/usr/bin/prlimit"));
    expect(tail.slice(1, 7)).toEqual(prlimitArgs(defaultSandboxLimits(), { processes: true }));
    expect(tail).toEqual(
      expect.arrayContaining(["/usr/bin/setpriv", "--reuid=1500000001", "--regid=1500000002", "--clear-groups"]),
    );
    expect(tail.indexOf("/usr/bin/setpriv")).toBeGreaterThan(tail.indexOf("--nproc=512"));
    expect(args.filter((a, i) => args[i - 1] === "--cap-add")).toEqual(["CAP_SETUID", "CAP_SETGID", "CAP_DAC_OVERRIDE"]);
    expect(args).not.toContain("--unshare-user");
  });

  test("as an ordinary user: a user namespace, no capabilities, no setpriv", () => {
    const args = bubblewrapArgs(plan({ mode: "user-namespace", uid: 1000, gid: 1000 }));
    expect(args).toEqual(expect.arrayContaining(["--unshare-user", "--disable-userns", "--nproc=512"]));
    expect(args).not.toContain("--cap-add");
    expect(args).not.toContain("/usr/bin/setpriv");
  });
});
