import { constants } from "node:fs";
import { access, stat } from "node:fs/promises";
import path from "node:path";

/** Folders searched for helper executables after `PATH`. */
const fallbackDirs = ["/usr/bin", "/bin", "/usr/local/bin", "/usr/sbin", "/sbin"];

/**
 * The absolute path of executable `name` on `PATH` (then /usr/bin, /bin, /usr/local/bin, /usr/sbin,
 * /sbin), or null when there is none.
 */
export async function findExecutable(name: string, pathVariable: string | undefined = process.env.PATH): Promise<string | null> {
  const dirs = [...(pathVariable ?? "").split(path.delimiter).filter((d) => path.isAbsolute(d)), ...fallbackDirs];
  for (const dir of dirs) {
    const candidate = path.join(dir, name);
    const info = await stat(candidate).catch(() => null);
    if (!info?.isFile()) continue;
    if (await access(candidate, constants.X_OK).then(() => true, () => false)) return candidate;
  }
  return null;
}

/** Whether `candidate` is `root` or inside it (both absolute, normalised). */
export function isInside(root: string, candidate: string): boolean {
  const rel = path.relative(root, candidate);
  return rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel));
}

type IdRange = { inside: number; outside: number; count: number };

function parseIdMap(text: string): IdRange[] {
  return text
    .split("\n")
    .map((line) => line.trim().split(/\s+/).map(Number))
    .filter((f): f is [number, number, number] => f.length === 3 && f.every((n) => Number.isSafeInteger(n)))
    .map(([inside, outside, count]) => ({ inside, outside, count }));
}

/** Where the sandbox user's id is taken from when it can be: far above any real account. */
export const SANDBOX_ID_RANGE = { start: 1_500_000_000, end: 1_600_000_000 } as const;

/**
 * An unprivileged id for one sandbox run, picked at random so that concurrent sandboxes get their own
 * RLIMIT_NPROC budget: from {@link SANDBOX_ID_RANGE} when the id map (`/proc/self/uid_map` or
 * `gid_map` text) covers it, else from the highest mapped ids above 1000 (skipping 65534/65535).
 * @returns the id, or null when the map offers no unprivileged id
 */
export function pickSandboxId(idMapText: string, random: () => number = Math.random): number | null {
  const ranges = parseIdMap(idMapText);
  const pick = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo));
  for (const r of ranges) {
    const lo = Math.max(r.inside, SANDBOX_ID_RANGE.start);
    const hi = Math.min(r.inside + r.count, SANDBOX_ID_RANGE.end);
    if (lo < hi) return pick(lo, hi);
  }
  let best: { lo: number; hi: number } | null = null;
  for (const r of ranges) {
    const lo = Math.max(r.inside, 1000);
    const hi = Math.min(r.inside + r.count, 65534); // [lo, hi), below nobody/nogroup
    const highLo = Math.max(r.inside, 65536);
    const highHi = Math.min(r.inside + r.count, 4_294_967_295);
    for (const [a, b] of [[lo, hi], [highLo, highHi]] as const) {
      if (a < b && (!best || b > best.hi)) best = { lo: a, hi: b };
    }
  }
  return best ? pick(Math.max(best.lo, best.hi - 1000), best.hi) : null;
}
