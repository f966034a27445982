import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { startStack, type Client, type Stack } from "../fixtures/stack";

/**
 * A task that fails ends with outcome `failed` (its repository's folder vanished after it was
 * registered, so the run cannot prepare a workspace), and a retry clears the outcome until it ends
 * again. The other outcomes are covered in tenancy.test.ts (delivered, no_changes, rejected, cancelled).
 */

let stack: Stack;
let owner: Client;

beforeAll(async () => {
  stack = await startStack("pglite");
  owner = await stack.signUp("Fay");
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

const post = (body: unknown = {}): RequestInit => ({ method: "POST", body: JSON.stringify(body) });

test("a run that fails stores outcome failed; ?outcome=failed finds it; a retry clears it", async () => {
  const dir = path.join(stack.dataDir, "repos", "vanishing");
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "README.md"), "# vanishing\n");
  const git = (...args: string[]) => execFileSync("git", args, { cwd: dir, stdio: "ignore" });
  git("init", "-q");
  git("add", ".");
  git("-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-q", "-m", "init");
  const repo = await owner.json<{ id: string }>("/api/v1/repositories", post({ name: "vanishing", localPath: dir }));
  expect(repo.status).toBe(201);
  rmSync(dir, { recursive: true, force: true });

  const created = await owner.json<{ id: string; repositoryId: string; outcome: string | null }>(
    "/api/v1/tasks",
    post({ title: "Add a DELETE /todos/:id endpoint", repositoryId: repo.body.id }),
  );
  expect(created.status).toBe(201);
  expect(created.body).toMatchObject({ repositoryId: repo.body.id, outcome: null });
  const ended = await stack.waitForTask(owner, created.body.id);
  expect(ended.status).toBe("failed");
  expect(ended.error).toMatch(/does not exist/);
  expect((await owner.json<{ outcome: string }>(`/api/v1/tasks/${created.body.id}`)).body.outcome).toBe("failed");
  const failed = await owner.json<{ items: { id: string; outcome: string }[] }>("/api/v1/tasks?outcome=failed");
  expect(failed.body.items.map((t) => t.id)).toEqual([created.body.id]);
  expect((await owner.json<{ items: unknown[] }>("/api/v1/tasks?outcome=delivered")).body.items).toEqual([]);

  const retried = await owner.json<{ status: string; outcome: string | null }>(`/api/v1/tasks/${created.body.id}/retry`, post());
  expect(retried.status).toBe(202);
  expect(retried.body).toMatchObject({ status: "queued", outcome: null });
  const again = await stack.waitForTask(owner, created.body.id);
  expect(again.status).toBe("failed");
  expect((await owner.json<{ outcome: string }>(`/api/v1/tasks/${created.body.id}`)).body.outcome).toBe("failed");
}, 120_000);
