import { expect, test } from "./fixtures";

/**
 * API keys and task cancellation from the web UI: an owner creates a key with only task read+create
 * on Settings → API keys, uses it with a Bearer header (allowed and refused operations), sees its
 * last use, revokes it and sees the API refuse it. Then cancels a task that waits for approval.
 */

const KEY_NAME = `CI <b>job</b> & "quotes"`;
const CANCEL_REASON = `Wrong repository <i>oops</i>`;

test("create a task-only API key, use it, see its last use, revoke it", async ({ page, request, signedInUser }) => {
  void signedInUser;
  await page.getByRole("link", { name: "Settings" }).click();
  await page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "API keys" }).click();
  await expect(page).toHaveURL(/\/settings\/api-keys$/);
  await expect(page.getByTestId("api-keys-empty")).toBeVisible();
  await expect(page.getByTestId("api-key-usage")).toContainText(`curl -H "Authorization: Bearer <key>" http://`);

  const form = page.getByRole("form", { name: "Create API key" });
  // Every permission is checked by default.
  const taskGroup = form.getByRole("group", { name: "Tasks (task)" });
  await expect(taskGroup.getByLabel("cancel", { exact: true })).toBeChecked();
  await expect(form.getByRole("group", { name: "Audit log (audit)" }).getByLabel("read", { exact: true })).toBeChecked();

  await form.getByLabel("Name").fill(KEY_NAME);
  await form.getByLabel("Expires in (days)").fill("30");
  await form.getByRole("button", { name: "Clear all" }).click();
  await expect(taskGroup.getByLabel("cancel", { exact: true })).not.toBeChecked();
  await taskGroup.getByLabel("read", { exact: true }).check();
  await taskGroup.getByLabel("create", { exact: true }).check();
  await form.getByRole("button", { name: "Create key" }).click();

  // The secret is shown once, with the warning.
  const created = page.getByTestId("api-key-created");
  await expect(created).toContainText("you won't see it again");
  await expect(created).toContainText(KEY_NAME);
  const key = (await created.getByTestId("api-key-secret").textContent())?.trim() ?? "";
  expect(key).toMatch(/^sq_\S{20,}$/);

  const row = page.getByTestId("api-key-row").filter({ hasText: KEY_NAME });
  await expect(row).toHaveCount(1);
  await expect(row.getByTestId("api-key-name")).toHaveText(KEY_NAME);
  await expect(row.getByTestId("api-key-start")).toContainText(key.slice(0, 5));
  await expect(row.getByTestId("api-key-permissions")).toContainText("task: read, create");
  await expect(row.getByTestId("api-key-permissions")).not.toContainText("squad");
  await expect(row.getByTestId("api-key-creator")).toHaveText(signedInUser.name);
  await expect(row.getByTestId("api-key-last-used")).toHaveText("never");
  await expect(row.getByTestId("api-key-expires")).toContainText(/in (30 days|4 weeks|1 month)/);

  // Reloading never shows the secret again.
  await page.reload();
  await expect(page.getByTestId("api-key-created")).toHaveCount(0);
  await expect(page.getByText(key)).toHaveCount(0);

  // The key works for what it holds, and only that.
  const auth = { Authorization: `Bearer ${key}` };
  const createdTask = await request.post("/api/v1/tasks", { headers: auth, data: { title: "Created with an API key" } });
  expect(createdTask.status()).toBe(201);
  const squads = await request.get("/api/v1/squads", { headers: auth });
  expect(squads.status()).toBe(403);

  await page.reload();
  await expect(row.getByTestId("api-key-last-used")).not.toHaveText("never");
  await expect(row.getByTestId("api-key-last-used")).toContainText(/just now|second|minute/);

  // Revoke, with a confirm step.
  await row.getByRole("button", { name: `Revoke ${KEY_NAME}` }).click();
  await row.getByRole("button", { name: "Keep" }).click();
  await expect(row).toHaveCount(1);
  await row.getByRole("button", { name: `Revoke ${KEY_NAME}` }).click();
  await row.getByRole("button", { name: "Revoke key" }).click();
  await expect(row).toHaveCount(0);
  await expect(page.getByTestId("api-keys-empty")).toBeVisible();

  const refused = await request.get("/api/v1/tasks", { headers: auth });
  expect(refused.status()).toBe(401);
});

test.describe("cancelling a task from its page", () => {
  test.setTimeout(300_000);

  test("a task waiting for approval is cancelled with a reason", async ({ page, signedInUser, tasksPage, taskPage }) => {
    const squadsRes = await page.request.get("/api/v1/squads");
    expect(squadsRes.status()).toBe(200);
    const squadsBody: unknown = await squadsRes.json();
    const squad = (Array.isArray(squadsBody) ? squadsBody[0] : undefined) as { id?: unknown } | undefined;
    expect(typeof squad?.id).toBe("string");
    const patched = await page.request.patch(`/api/v1/squads/${String(squad?.id)}`, { data: { autonomy: "supervised" } });
    expect(patched.status()).toBe(200);

    await tasksPage.createTask("Add a due date column (rejection demo)");
    await taskPage.expectStatus("awaiting_approval", 240_000);

    await page.getByTestId("task-cancel").click();
    const form = page.getByRole("form", { name: "Cancel task" });
    await form.getByLabel("Reason (optional)").fill(CANCEL_REASON);
    await form.getByRole("button", { name: "Keep running" }).click();
    await expect(form).toHaveCount(0);
    await taskPage.expectStatus("awaiting_approval");

    await page.getByTestId("task-cancel").click();
    await form.getByLabel("Reason (optional)").fill(CANCEL_REASON);
    await form.getByRole("button", { name: "Cancel the task" }).click();

    await taskPage.expectStatus("cancelled", 30_000);
    await expect(page.getByTestId("task-error")).toContainText(`Cancelled by ${signedInUser.name}: ${CANCEL_REASON}`);
    await expect(page.getByTestId("task-cancel")).toHaveCount(0);
    await expect(page.getByTestId("pending-approvals")).toHaveCount(0);

    // Still so after a reload (from the server, not only the page's state).
    await page.reload();
    await taskPage.expectStatus("cancelled");
    await expect(page.getByTestId("task-error")).toContainText(`Cancelled by ${signedInUser.name}: ${CANCEL_REASON}`);
  });
});
