// The bubblewrap driver. Design notes (the why behind the argument list):
// - No network: `--unshare-net` leaves only the sandbox's own loopback, so the host's 127.0.0.1 services
//   (Postgres, the app, the Inngest executor) are unreachable, as is everything else.
// - Writes: the worktree only. Its `.git` file is mounted read-only on top, so the command cannot point
//   it at a git folder of its own making whose config (core.fsmonitor, hooks) the app's own git calls
//   would then run on the host. The repository's git folder is visible read-only (tests may run git),
//   with its `config` replaced by a copy without remotes (their URLs may carry tokens).
// - Root: RLIMIT_NPROC does not bind uid 0 (the kernel exempts it), so an app running as root runs the
//   command as a random unprivileged uid of its own (per run: its own process budget) with only
//   CAP_DAC_OVERRIDE, to write the root-owned worktree. Not CAP_FOWNER: it cannot chmod root's files.
// - Memory: RLIMIT_DATA rather than RLIMIT_AS. Node reserves large address ranges it never touches
//   (WebAssembly guard regions: undici's HTTP parser, used by fetch, fails under a small RLIMIT_AS).
// - Limits are per process (CPU, memory, file size) or per sandbox user (processes); there is no total
//   memory or disk quota without cgroups. The private /tmp and /dev/shm are size-capped tmpfs.
import { lstat, mkdtemp, readFile, readlink, realpath, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { messageOf } from "../errno";
import { git } from "../git";
import { scrubEnvironment } from "./environment";
import { execute } from "./execute";
import { findExecutable, isInside, pickSandboxId } from "./host";
import { defaultSandboxLimits, prlimitArgs } from "./limits";
import type { SandboxDriver, SandboxLimits, SandboxRequest, SandboxResult } from "./types";

/** HOME inside the sandbox: a folder of its private /tmp. */
export const SANDBOX_HOME = "/tmp/home";
/** Largest /dev/shm inside the sandbox, in bytes (it is memory-backed like /tmp). */
const MAX_SHM_BYTES = 64 * 1024 * 1024;

/** Top-level folders of the toolchain, mounted read-only (or re-created as symlinks on merged-/usr systems). */
const systemDirs = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"];
/**
 * Host files and folders under /etc the toolchain needs (dynamic linker, CA certificates, time zones,
 * Debian alternatives), mounted read-only when present. Not /etc as a whole: it holds host users,
 * private keys (/etc/ssl/private) and system-wide tool configuration (npmrc, gitconfig) with credentials.
 */
const etcEntries = [
  "ld.so.cache",
  "ld.so.conf",
  "ld.so.conf.d",
  "alternatives",
  "ssl/certs",
  "ssl/openssl.cnf",
  "ca-certificates.conf",
  "localtime",
  "timezone",
  "os-release",
  "protocols",
  "services",
  "mime.types",
  "gai.conf",
  "terminfo",
];

/** The sandbox user: its own unprivileged uid when the app is root, else the app's own uid in a user namespace. */
export type SandboxIdentity =
  | { mode: "drop-root"; uid: number; gid: number }
  | { mode: "user-namespace"; uid: number; gid: number };

/** The repository metadata a worktree points at, mounted read-only. */
export type GitMetadata = {
  /** The worktree's `.git` (file or folder), if any: made read-only so the command cannot repoint it. */
  dotGit: string | null;
  /** The repository's git folder(s) (common dir, and the worktree's own gitdir if outside it). */
  dirs: string[];
  /** `config` files to hide behind a sanitised copy (remote URLs may carry credentials). */
  configs: string[];
};

/** Everything {@link bubblewrapArgs} needs; all paths absolute and real (symlinks resolved). */
export type BubblewrapPlan = {
  worktree: string;
  command: string;
  limits: SandboxLimits;
  identity: SandboxIdentity;
  /** util-linux helpers, as host paths (mounted at the same place when outside the toolchain folders). */
  prlimit: string;
  setpriv: string | null;
  /** Folders to re-create: a symlink keeps its target, a folder is mounted read-only. */
  system: Array<{ path: string; symlink: string | null }>;
  /** Host folder holding the generated passwd, group, hosts, nsswitch.conf and sanitised git config. */
  generated: string;
  git: GitMetadata;
  /** More read-only mounts (the node installation, `SANDBOX_READONLY_PATHS`); missing ones are skipped. */
  readOnly: string[];
};

/**
 * The `bwrap` argument list for a plan: new IPC, PID, network, UTS and cgroup namespaces (and a user
 * namespace when not root) — so no network at all, not even the host's loopback; the toolchain, a few
 * /etc files and `readOnly` read-only; generated /etc/passwd, group, hosts and nsswitch.conf; private
 * /tmp and /dev/shm (size-capped tmpfs); the worktree read-write at its host path, its `.git` and the
 * repository's git folder read-only; everything else absent, the root read-only. The command runs as
 * `prlimit <rlimits> -- [setpriv <drop to the sandbox user> --] /bin/sh -c <command>`.
 */
export function bubblewrapArgs(plan: BubblewrapPlan): string[] {
  const { identity, limits } = plan;
  const args = ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try"];
  if (identity.mode === "user-namespace") args.push("--unshare-user", "--disable-userns");
  args.push("--die-with-parent", "--new-session", "--hostname", "sandbox");

  // Mounts whose insides must not get new folders: read-only ones, and the worktree (a host folder).
  const covered: string[] = [];
  // bwrap creates missing parents of a mount point as 0700 folders, which an unprivileged sandbox user
  // cannot search with access(2) (git, `test -x`): create them 0755 first.
  const created = new Set(["/", "/tmp", "/etc", "/dev", "/proc"]);
  const ensureParents = (dest: string) => {
    const parents: string[] = [];
    for (let dir = path.dirname(dest); !created.has(dir); dir = path.dirname(dir)) parents.unshift(dir);
    for (const dir of parents) {
      if (covered.some((root) => isInside(root, dir)) || isInside("/proc", dir) || isInside("/dev", dir)) return;
      args.push("--dir", dir);
      created.add(dir);
    }
  };

  for (const entry of plan.system) {
    if (entry.symlink !== null) {
      args.push("--symlink", entry.symlink, entry.path);
    } else {
      args.push("--ro-bind", entry.path, entry.path);
      covered.push(entry.path);
    }
  }
  args.push("--proc", "/proc", "--dev", "/dev");
  args.push("--size", String(Math.min(limits.tmpBytes, MAX_SHM_BYTES)), "--perms", "1777", "--tmpfs", "/dev/shm");
  args.push("--size", String(limits.tmpBytes), "--perms", "1777", "--tmpfs", "/tmp");
  args.push("--perms", "0777", "--dir", SANDBOX_HOME);

  args.push("--dir", "/etc");
  for (const entry of etcEntries) {
    ensureParents(`/etc/${entry}`);
    args.push("--ro-bind-try", `/etc/${entry}`, `/etc/${entry}`);
  }
  for (const file of ["passwd", "group", "hosts", "nsswitch.conf", "hostname"]) {
    args.push("--ro-bind", path.join(/*turbopackIgnore: true*/ plan.generated, file), `/etc/${file}`);
  }
  const extra = [...plan.readOnly, plan.prlimit, ...(plan.setpriv ? [plan.setpriv] : [])];
  for (const p of extra) {
    if (covered.some((root) => isInside(root, p))) continue;
    ensureParents(p);
    args.push("--ro-bind-try", p, p);
    covered.push(p);
  }

  ensureParents(plan.worktree);
  args.push("--bind", plan.worktree, plan.worktree);
  covered.push(plan.worktree);
  for (const dir of plan.git.dirs) {
    ensureParents(dir);
    args.push("--ro-bind", dir, dir);
    covered.push(dir);
  }
  if (plan.git.dotGit) args.push("--ro-bind", plan.git.dotGit, plan.git.dotGit);
  plan.git.configs.forEach((config, i) => args.push("--ro-bind", path.join(plan.generated, `gitconfig-${i}`), config));

  args.push("--remount-ro", "/dev", "--remount-ro", "/", "--chdir", plan.worktree);

  if (identity.mode === "drop-root") {
    // Root is exempt from RLIMIT_NPROC, so the command runs as an unprivileged uid of its own. It keeps
    // CAP_DAC_OVERRIDE only, to write the root-owned worktree (read-only mounts stay read-only).
    args.push("--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID", "--cap-add", "CAP_DAC_OVERRIDE");
  }
  args.push(plan.prlimit, ...prlimitArgs(limits, { processes: true }));
  if (identity.mode === "drop-root") {
    if (!plan.setpriv) throw new Error("setpriv is required to drop root inside the sandbox");
    args.push(
      plan.setpriv,
      `--reuid=${identity.uid}`,
      `--regid=${identity.gid}`,
      "--clear-groups",
      "--inh-caps=-all,+dac_override",
      "--ambient-caps=-all,+dac_override",
      "--bounding-set=-all,+dac_override",
      "--no-new-privs",
      "--",
    );
  }
  args.push("/bin/sh", "-c", plan.command);
  return args;
}

/** How the toolchain's top-level folders look on this host. */
async function systemEntries(): Promise<BubblewrapPlan["system"]> {
  const out: BubblewrapPlan["system"] = [];
  for (const dir of systemDirs) {
    const info = await lstat(dir).catch(() => null);
    if (!info) continue;
    if (info.isSymbolicLink()) out.push({ path: dir, symlink: await readlink(dir) });
    else if (info.isDirectory()) out.push({ path: dir, symlink: null });
  }
  return out;
}

/** The installation folder of the running node (e.g. `/usr/local` for `/usr/local/bin/node`). */
async function nodePrefix(): Promise<string> {
  const real = await realpath(process.execPath).catch(() => process.execPath);
  return path.dirname(path.dirname(real));
}

/** `SANDBOX_READONLY_PATHS` as absolute paths. */
function configuredReadOnlyPaths(): string[] {
  return (env.SANDBOX_READONLY_PATHS ?? "")
    .split(",")
    .map((p) => p.trim())
    .filter((p) => p !== "")
    .map((p) => path.resolve(p));
}

/** The repository folders a worktree's `.git` points at (see {@link GitMetadata}). */
export async function gitMetadata(worktree: string): Promise<GitMetadata> {
  const dotGit = path.join(worktree, ".git");
  const info = await lstat(dotGit).catch(() => null);
  if (!info) return { dotGit: null, dirs: [], configs: [] };
  if (!info.isFile()) {
    // A repository's own checkout: its .git folder is inside the worktree; only hide its config.
    const config = path.join(dotGit, "config");
    const hasConfig = (await lstat(config).catch(() => null))?.isFile() ?? false;
    return { dotGit, dirs: [], configs: hasConfig ? [config] : [] };
  }
  const pointer = /^gitdir:\s*(.+?)\s*$/m.exec(await readFile(dotGit, "utf8"));
  if (!pointer?.[1]) return { dotGit, dirs: [], configs: [] };
  const gitdir = await realpath(path.resolve(worktree, pointer[1])).catch(() => null);
  if (!gitdir) return { dotGit, dirs: [], configs: [] };
  const commonText = await readFile(path.join(gitdir, "commondir"), "utf8").catch(() => null);
  const common = commonText ? await realpath(path.resolve(gitdir, commonText.trim())).catch(() => gitdir) : gitdir;
  const dirs = isInside(common, gitdir) ? [common] : [common, gitdir];
  const config = path.join(common, "config");
  const hasConfig = (await lstat(config).catch(() => null))?.isFile() ?? false;
  return { dotGit, dirs: dirs.filter((d) => !isInside(worktree, d)), configs: hasConfig ? [config] : [] };
}

/** The parts of a repository config git needs to read it (format version, extensions); no remotes, no credentials. */
async function sanitisedGitConfig(config: string): Promise<string> {
  const { stdout } = await git(
    path.dirname(config),
    ["config", "--file", config, "--get-regexp", "^(core\\.(repositoryformatversion|bare)|extensions\\.)"],
    { okExitCodes: [0, 1] },
  ).catch(() => ({ stdout: "" }));
  const lines = stdout.split("\n").filter((l) => l !== "");
  const sections = new Map<string, string[]>();
  for (const line of lines) {
    const match = /^([a-z0-9-]+)\.([A-Za-z0-9-]+) (.*)$/i.exec(line);
    if (!match?.[1] || !match[2]) continue;
    const list = sections.get(match[1]) ?? [];
    list.push(`\t${match[2]} = ${JSON.stringify(match[3] ?? "")}`);
    sections.set(match[1], list);
  }
  return [...sections].map(([name, entries]) => `[${name}]\n${entries.join("\n")}\n`).join("");
}

/** Writes the sandbox's /etc/passwd, group, hosts, nsswitch.conf, hostname and sanitised git configs. */
async function writeGeneratedFiles(dir: string, identity: SandboxIdentity, git: GitMetadata): Promise<void> {
  const users = new Map<number, string>([
    [0, "root:x:0:0:root:/root:/bin/sh"],
    [65534, "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin"],
  ]);
  users.set(identity.uid, `sandbox:x:${identity.uid}:${identity.gid}:Squadron sandbox:${SANDBOX_HOME}:/bin/sh`);
  const groups = new Map<number, string>([
    [0, "root:x:0:"],
    [65534, "nogroup:x:65534:"],
  ]);
  groups.set(identity.gid, `sandbox:x:${identity.gid}:`);
  const files: Record<string, string> = {
    passwd: [...users.values()].join("\n") + "\n",
    group: [...groups.values()].join("\n") + "\n",
    hosts: "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.1.1\tsandbox\n",
    "nsswitch.conf": "passwd: files\ngroup: files\nshadow: files\nhosts: files\n",
    hostname: "sandbox\n",
  };
  for (const [i, config] of git.configs.entries()) files[`gitconfig-${i}`] = await sanitisedGitConfig(config);
  for (const [name, content] of Object.entries(files)) await writeFile(path.join(dir, name), content, { mode: 0o644 });
}

/** The environment inside: the scrubbed one, with HOME and TMPDIR in the private /tmp. */
function sandboxEnvironment(base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return {
    ...base,
    HOME: SANDBOX_HOME,
    TMPDIR: "/tmp",
    TMP: "/tmp",
    TEMP: "/tmp",
    USER: "sandbox",
    LOGNAME: "sandbox",
    // The repository belongs to another uid than the sandbox user when the app runs as root.
    GIT_CONFIG_COUNT: "1",
    GIT_CONFIG_KEY_0: "safe.directory",
    GIT_CONFIG_VALUE_0: "*",
  };
}

type Helpers = { bwrap: string; prlimit: string; setpriv: string | null };

async function identityForRun(): Promise<SandboxIdentity | string> {
  const uid = process.getuid?.() ?? -1;
  const gid = process.getgid?.() ?? -1;
  if (process.geteuid?.() !== 0) return { mode: "user-namespace", uid, gid };
  const [uidMap, gidMap] = await Promise.all([
    readFile("/proc/self/uid_map", "utf8").catch(() => "0 0 4294967295"),
    readFile("/proc/self/gid_map", "utf8").catch(() => "0 0 4294967295"),
  ]);
  const sandboxUid = pickSandboxId(uidMap);
  const sandboxGid = pickSandboxId(gidMap);
  if (sandboxUid === null || sandboxGid === null) return "no unprivileged uid/gid is mapped in this user namespace";
  return { mode: "drop-root", uid: sandboxUid, gid: sandboxGid };
}

class BubblewrapDriver implements SandboxDriver {
  readonly kind = "bubblewrap" as const;
  readonly description: string;

  constructor(private readonly helpers: Helpers) {
    this.description = `bubblewrap (${helpers.bwrap}): no network, private /tmp, worktree read-write, toolchain read-only`;
  }

  async run(request: SandboxRequest): Promise<SandboxResult> {
    const worktree = await realpath(request.worktree);
    const identity = await identityForRun();
    if (typeof identity === "string") throw new AppError("unavailable", `Cannot sandbox: ${identity}`);
    const generated = await mkdtemp(path.join(tmpdir(), "squadron-sandbox-"));
    try {
      const git = await gitMetadata(worktree);
      await writeGeneratedFiles(generated, identity, git);
      const args = bubblewrapArgs({
        worktree,
        command: request.command,
        limits: request.limits,
        identity,
        prlimit: this.helpers.prlimit,
        setpriv: this.helpers.setpriv,
        system: await systemEntries(),
        generated,
        git,
        readOnly: [await nodePrefix(), ...configuredReadOnlyPaths()],
      });
      const launch = { file: this.helpers.bwrap, args, cwd: worktree, env: sandboxEnvironment(request.env) };
      return await execute(launch, request.limits, "bubblewrap");
    } finally {
      await rm(generated, { recursive: true, force: true });
    }
  }
}

/** A driver, or why bubblewrap cannot be used here. */
export type BubblewrapAvailability = { driver: SandboxDriver } | { unavailable: string };

const probes = new Map<string, Promise<BubblewrapAvailability>>();

async function probe(bwrapPath: string | undefined): Promise<BubblewrapAvailability> {
  const bwrap = bwrapPath ?? (await findExecutable("bwrap"));
  if (!bwrap) return { unavailable: "bubblewrap is not installed: no bwrap on PATH" };
  const prlimit = await findExecutable("prlimit");
  if (!prlimit) return { unavailable: "util-linux prlimit is not installed (needed for the sandbox's limits)" };
  const setpriv = await findExecutable("setpriv");
  if (process.geteuid?.() === 0 && !setpriv) {
    return { unavailable: "util-linux setpriv is not installed (needed to drop root inside the sandbox)" };
  }
  const driver = new BubblewrapDriver({ bwrap, prlimit, setpriv });
  // A trial run: bwrap may be present but unable to create namespaces (e.g. an unprivileged container).
  const dir = await mkdtemp(path.join(tmpdir(), "squadron-sandbox-probe-"));
  try {
    const result = await driver.run({
      worktree: dir,
      command: "exit 0",
      env: scrubEnvironment(),
      limits: defaultSandboxLimits({ timeoutMs: 15_000 }),
    });
    if (!result.passed) {
      const why = result.output.trim().split("\n").slice(0, 3).join(" ").slice(0, 300) || `exit code ${result.exitCode}`;
      return { unavailable: `bubblewrap (${bwrap}) failed a trial run: ${why}` };
    }
    return { driver };
  } catch (error) {
    return { unavailable: `bubblewrap (${bwrap}) failed a trial run: ${messageOf(error)}` };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The bubblewrap driver if `bwrap` (default: found on PATH), `prlimit` and, when the app runs as root,
 * `setpriv` are present and a trial run in a scratch folder succeeds; else why not. A success is
 * remembered for the life of the process (per `bwrapPath`); a failure is checked again next time.
 */
export function bubblewrapAvailability(bwrapPath?: string): Promise<BubblewrapAvailability> {
  const key = bwrapPath ?? "";
  let answer = probes.get(key);
  if (!answer) {
    answer = probe(bwrapPath).then((result) => {
      if (!("driver" in result)) probes.delete(key);
      return result;
    });
    probes.set(key, answer);
  }
  return answer;
}
