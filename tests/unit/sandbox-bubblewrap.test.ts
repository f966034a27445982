// The bubblewrap driver against real attacks: network, writes outside the worktree, reading another
// repository, fork bombs, endless loops, memory and file-size hogs. Skipped (with a message) only where
// `bwrap` is not installed; where it is installed but cannot run, these tests fail.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import {
  bubblewrapAvailability,
  ensureExampleRepository,
  prepareWorktree,
  runTests,
  unsandboxedDriver,
  type SandboxDriver,
} from "@/lib/workspace";
import { findExecutable, SANDBOX_ID_RANGE } from "@/lib/workspace/sandbox/host";

const bwrap = await findExecutable("bwrap");
if (!bwrap) {
  console.warn(
    "SKIPPED tests/unit/sandbox-bubblewrap.test.ts: bubblewrap (bwrap) is not installed on this machine. " +
      "Install it (apt-get install -y bubblewrap) to run the sandbox isolation tests; CI installs it.",
  );
}
const describeWithBwrap = bwrap ? describe : describe.skip;

let dataDir: string;
let repo: string;
let sibling: string;
let worktree: string;
let driver: SandboxDriver;
let server: Server;
let port: number;

const SIBLING_SECRET = "sibling-secret-7f3a";
const REMOTE_TOKEN = "ghs_remote_token_in_git_config";

beforeAll(async () => {
  if (!bwrap) return;
  const availability = await bubblewrapAvailability();
  if (!("driver" in availability)) throw new Error(`bwrap is installed but unusable: ${availability.unavailable}`);
  driver = availability.driver;

  // Like a real DATA_DIR, not under /tmp (which the sandbox replaces with its own private, writable /tmp).
  const base = existsSync("/var/tmp") ? "/var/tmp" : tmpdir();
  dataDir = await mkdtemp(path.join(base, "squadron-sandbox-"));
  repo = await ensureExampleRepository(dataDir);
  // A credential in the repository's git config (a remote URL) must not be readable inside.
  execFileSync("git", ["-C", repo, "remote", "add", "origin", `https://x-access-token:${REMOTE_TOKEN}@github.com/o/r.git`]);
  // Another repository under the same root, e.g. another organization's.
  sibling = path.join(dataDir, "repos", "other-org-repo");
  await mkdir(sibling, { recursive: true });
  await writeFile(path.join(sibling, "secret.txt"), SIBLING_SECRET);
  worktree = (await prepareWorktree({ repoPath: repo, dataDir, taskId: "sandboxed", baseBranch: "main" })).path;

  // A service on the host's loopback (think: the database on 127.0.0.1:5432).
  server = createServer((socket) => {
    socket.on("error", () => {}); // the probe hangs up at once
    socket.end("hello from the host\n");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  port = address.port;
});

afterAll(async () => {
  if (!bwrap) return;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(dataDir, { recursive: true, force: true });
});

/** Processes on this host whose uid is in the sandbox id range (sandboxes of a root app). */
async function sandboxUserProcesses(): Promise<number> {
  let count = 0;
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const status = await readFile(`/proc/${entry}/status`, "utf8").catch(() => "");
    const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1] ?? -1);
    if (uid >= SANDBOX_ID_RANGE.start && uid < SANDBOX_ID_RANGE.end) count += 1;
  }
  return count;
}

describeWithBwrap("bubblewrap sandbox", () => {
  test("runTests goes through bubblewrap by default where it is installed", async () => {
    const res = await runTests(worktree, "true");
    expect(res).toMatchObject({ sandbox: "bubblewrap", passed: true });
  });

  test("the example repository's npm test passes inside, and the worktree stays writable", async () => {
    const res = await runTests(worktree, "npm test", { sandbox: driver });
    expect(res).toMatchObject({ sandbox: "bubblewrap", passed: true, exitCode: 0, timedOut: false });
    expect(res.output).toMatch(/# pass \d+/);

    const write = await runTests(worktree, "mkdir -p out && echo built > out/artifact.txt && cat out/artifact.txt", {
      sandbox: driver,
    });
    expect(write.passed).toBe(true);
    expect(await readFile(path.join(worktree, "out", "artifact.txt"), "utf8")).toBe("built\n");
  });

  test("runs in the worktree, with git working read-only on its own repository", async () => {
    const res = await runTests(worktree, "pwd && git status --short && git log --format=%s -1", { sandbox: driver });
    expect(res.passed).toBe(true);
    expect(res.output).toContain(worktree);
    expect(res.output).toContain("Import the todo-api example");
  });

  test("no network: the host's loopback services are unreachable (the same command reaches them unsandboxed)", async () => {
    const probe = `node -e "require('net').connect(${port}, '127.0.0.1')
      .on('connect', () => { console.log('CONNECTED'); process.exit(0) })
      .on('error', (e) => { console.log('BLOCKED ' + e.code); process.exit(1) })"`;
    const inside = await runTests(worktree, probe, { sandbox: driver });
    expect(inside.passed).toBe(false);
    expect(inside.output).toContain("BLOCKED");
    expect(inside.output).not.toContain("CONNECTED");

    const fetchProbe = `node -e "fetch('http://127.0.0.1:${port}/').then(() => console.log('FETCHED'), (e) => { console.log('BLOCKED ' + (e.cause?.code ?? e.message)); process.exit(1) })"`;
    const fetched = await runTests(worktree, fetchProbe, { sandbox: driver });
    expect(fetched.output).toContain("BLOCKED");

    // Control: the probe itself works, so the sandbox is what blocks it.
    const outside = await runTests(worktree, probe, { sandbox: unsandboxedDriver("test control") });
    expect(outside.output).toContain("CONNECTED");
  });

  test("cannot write outside the worktree: data dir, its own repository, .git, the toolchain", async () => {
    const targets = {
      dataDir: path.join(dataDir, "pwned.txt"),
      repoCheckout: path.join(repo, "pwned.txt"),
      repoGitConfig: path.join(repo, ".git", "config"),
      repoHooks: path.join(repo, ".git", "hooks", "post-commit"),
      dotGit: path.join(worktree, ".git"),
      usr: "/usr/bin/pwned",
      root: "/pwned",
    };
    const script = Object.entries(targets)
      .map(([name, file]) => `(echo pwned >> '${file}') 2>/dev/null && echo "WROTE ${name}" || echo "REFUSED ${name}"`)
      .join("; ");
    const res = await runTests(worktree, script, { sandbox: driver });
    for (const name of Object.keys(targets)) expect(res.output).toContain(`REFUSED ${name}`);
    expect(res.output).not.toContain("WROTE");
    expect(existsSync(targets.dataDir)).toBe(false);
    expect(existsSync(targets.repoCheckout)).toBe(false);
    expect(existsSync(targets.repoHooks)).toBe(false);
    expect(await readFile(targets.dotGit, "utf8")).toMatch(/^gitdir: /);
    expect(await readFile(targets.repoGitConfig, "utf8")).not.toContain("pwned");
  });

  test("/tmp is private: what the command writes there never reaches the host's /tmp", async () => {
    const marker = `squadron-sandbox-marker-${process.pid}-${Date.now()}`;
    const res = await runTests(worktree, `echo inside > /tmp/${marker} && cat /tmp/${marker} && echo "home=$HOME"`, {
      sandbox: driver,
    });
    expect(res.passed).toBe(true);
    expect(res.output).toContain("home=/tmp/home");
    expect(existsSync(path.join("/tmp", marker))).toBe(false);
  });

  test("cannot read another repository, the app's files, or credentials in its own repository's git config", async () => {
    const res = await runTests(
      worktree,
      [
        `cat '${path.join(sibling, "secret.txt")}' || echo "NO SIBLING"`,
        `ls '${path.join(dataDir, "repos")}' | sed 's/^/LISTED:/'`,
        `cat '${path.join(process.cwd(), "package.json")}' >/dev/null 2>&1 || echo "NO APP"`,
        "cat /etc/shadow >/dev/null 2>&1 || echo 'NO SHADOW'",
        'cat "$(git rev-parse --git-common-dir)/config"',
        "git remote -v; echo remotes-listed",
      ].join("; "),
      { sandbox: driver },
    );
    expect(res.output).toContain("NO SIBLING");
    expect(res.output).not.toContain(SIBLING_SECRET);
    expect(res.output).toContain("LISTED:todo-api"); // only the path to its own repository's .git
    expect(res.output).not.toContain("LISTED:other-org-repo");
    expect(res.output).toContain("NO APP");
    expect(res.output).toContain("NO SHADOW");
    expect(res.output).toContain("repositoryformatversion");
    expect(res.output).toContain("remotes-listed");
    expect(res.output).not.toContain(REMOTE_TOKEN);
  });

  test("a fork bomb hits the process limit, ends, and leaves nothing behind", async () => {
    // First a bounded burst (harmless even without a limit) proves the limit is in force...
    const burst = await runTests(worktree, "for i in $(seq 1 60); do sleep 1 & done; wait; echo burst-done", {
      sandbox: driver,
      timeoutMs: 5_000,
      limits: { maxProcesses: 24 },
    });
    expect(burst.output).toMatch(/Cannot fork|Resource temporarily unavailable/);
    // ...and only then the real thing.
    const started = Date.now();
    const bomb = await runTests(worktree, "bomb() { bomb | bomb & }; bomb; sleep 3", {
      sandbox: driver,
      timeoutMs: 4_000,
      limits: { maxProcesses: 48 },
    });
    expect(Date.now() - started).toBeLessThan(9_000);
    expect(bomb.output).toMatch(/Cannot fork|Resource temporarily unavailable/);
    if (process.geteuid?.() === 0) {
      await sleep(300);
      expect(await sandboxUserProcesses()).toBe(0);
    }
  }, 15_000);

  test("an endless loop is cut off by the CPU limit, and a sleeping one by the wall-time limit", async () => {
    const cpu = await runTests(worktree, `node -e "for (;;) {}"`, {
      sandbox: driver,
      timeoutMs: 9_000,
      limits: { cpuSeconds: 1 },
    });
    expect(cpu).toMatchObject({ passed: false, timedOut: false });
    expect(cpu.durationMs).toBeLessThan(8_000);

    const wall = await runTests(worktree, "while :; do sleep 0.1; done", { sandbox: driver, timeoutMs: 800 });
    expect(wall).toMatchObject({ passed: false, timedOut: true, exitCode: null });
    expect(wall.durationMs).toBeLessThan(5_000);
  }, 15_000);

  test("memory and file-size limits stop a hog", async () => {
    const memory = await runTests(worktree, `node -e "const a = []; for (;;) a.push(Buffer.alloc(1 << 20, 1))"`, {
      sandbox: driver,
      timeoutMs: 9_000,
      limits: { memoryBytes: 256 * 1024 * 1024 },
    });
    expect(memory).toMatchObject({ passed: false, timedOut: false });

    const file = await runTests(worktree, "head -c 3000000 /dev/zero > big.bin", {
      sandbox: driver,
      limits: { maxFileBytes: 1024 * 1024 },
    });
    expect(file.passed).toBe(false);
    expect((await stat(path.join(worktree, "big.bin"))).size).toBeLessThanOrEqual(1024 * 1024);
  }, 15_000);

  test("a timeout kills everything in the sandbox, background processes included", async () => {
    const marker = path.join(worktree, "survivor");
    const res = await runTests(worktree, `(sleep 1 && touch ${marker}) & sleep 30`, { sandbox: driver, timeoutMs: 300 });
    expect(res).toMatchObject({ timedOut: true, exitCode: null, passed: false });
    await sleep(1_500);
    expect(existsSync(marker)).toBe(false);
  });

  test("secrets in the app's environment are not inside", async () => {
    const saved = process.env.OPENAI_API_KEY;
    process.env.OPENAI_API_KEY = "sk-live-should-not-leak";
    try {
      const res = await runTests(worktree, "env", { sandbox: driver });
      expect(res.output).not.toContain("should-not-leak");
      expect(res.output).toContain("CI=1");
    } finally {
      if (saved === undefined) delete process.env.OPENAI_API_KEY;
      else process.env.OPENAI_API_KEY = saved;
    }
  });
});
