import type { APIRequestContext } from "@playwright/test";
import { expect, test } from "./fixtures";

/**
 * Settings → Knowledge in a real Chromium: upload a Markdown document (a field error first), see it
 * listed and delete it after confirming; a lesson learnt from a rejected plan (made through the API:
 * a supervised squad's plan rejected with a reason) is listed with its source link, edited and deleted.
 */

const DOC_TITLE = `Style guide <b>v2</b>`;

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Makes the signed-in user's squad ask for plan approval, rejects a task's plan with `reason`, and waits for the lesson. */
async function learnLesson(request: APIRequestContext, reason: string): Promise<{ taskId: string }> {
  const squads = (await (await request.get("/api/v1/squads")).json()) as { id: string }[];
  expect((await request.patch(`/api/v1/squads/${squads[0]?.id}`, { data: { autonomy: "human_required" } })).status()).toBe(200);
  const task = (await (await request.post("/api/v1/tasks", { data: { title: "Add a due date column", description: "" } })).json()) as { id: string };
  const approval = await until("the plan approval", async () => {
    const list = (await (await request.get("/api/v1/approvals?status=pending")).json()) as { id: string; taskId: string }[];
    return list.find((a) => a.taskId === task.id);
  });
  expect((await request.post(`/api/v1/approvals/${approval.id}/decision`, { data: { decision: "reject", comment: reason } })).status()).toBe(200);
  await until("the lesson", async () => {
    const body = (await (await request.get("/api/v1/lessons")).json()) as { items: unknown[] };
    return body.items.length > 0 ? true : undefined;
  });
  return { taskId: task.id };
}

test("upload a document (field error first), see it listed, delete it", async ({ page, signedInUser }) => {
  void signedInUser;
  await page.getByRole("link", { name: "Settings" }).click();
  await page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "Knowledge" }).click();
  await expect(page).toHaveURL(/\/settings\/knowledge$/);
  await expect(page.getByTestId("documents-empty")).toBeVisible();
  await expect(page.getByTestId("lessons-empty")).toBeVisible();

  const form = page.getByRole("form", { name: "Upload a document" });
  await form.getByLabel("Title").fill(DOC_TITLE);
  await form.getByRole("button", { name: "Upload" }).click();
  await expect(form.getByText("The document is empty.")).toBeVisible();
  await expect(form.getByLabel("Content")).toHaveAttribute("aria-invalid", "true");

  await form.getByLabel("Content").fill("# Database\n\nName columns in snake_case.\n\n## Migrations\n\nOne change per migration.\n");
  await form.getByRole("button", { name: "Upload" }).click();
  await expect(page.getByTestId("document-notice")).toContainText(DOC_TITLE);
  const row = page.getByTestId("document-row").filter({ hasText: DOC_TITLE });
  await expect(row).toHaveCount(1);
  // The title is text, never markup.
  await expect(row.getByTestId("document-title")).toHaveText(DOC_TITLE);
  await expect(row.getByTestId("document-status")).toHaveText(/sections? indexed|not indexed/);

  await row.getByRole("button", { name: "Delete" }).click();
  const confirm = row.getByRole("alertdialog");
  await expect(confirm).toContainText(`Delete ${DOC_TITLE}?`);
  await confirm.getByRole("button", { name: "Keep it" }).click();
  await expect(row).toHaveCount(1);
  await row.getByRole("button", { name: "Delete" }).click();
  await row.getByRole("alertdialog").getByRole("button", { name: `Delete ${DOC_TITLE}` }).click();
  await expect(page.getByTestId("document-row").filter({ hasText: DOC_TITLE })).toHaveCount(0);
  await expect(page.getByTestId("documents-empty")).toBeVisible();
});

test("a lesson from a rejected plan is listed with its source, edited, then deleted", async ({ page, signedInUser }) => {
  void signedInUser;
  const { taskId } = await learnLesson(page.request, "always name columns in snake_case");
  await page.goto("/settings/knowledge");
  const row = page.getByTestId("lesson-row");
  await expect(row).toHaveCount(1);
  await expect(row.getByTestId("lesson-statement")).toHaveText("Always name columns in snake_case.");
  await expect(row.getByRole("link", { name: "Approval rejected" })).toHaveAttribute("href", `/tasks/${taskId}`);

  await row.getByRole("button", { name: "Edit" }).click();
  const edit = row.getByRole("form", { name: "Edit lesson" });
  await edit.getByLabel("Lesson").fill("   ");
  await edit.getByRole("button", { name: "Save lesson" }).click();
  await expect(edit.getByText("Say what the lesson is.")).toBeVisible();
  await edit.getByLabel("Lesson").fill("Columns are snake_case, always.");
  await edit.getByRole("button", { name: "Save lesson" }).click();
  await expect(row.getByTestId("lesson-statement")).toHaveText("Columns are snake_case, always.");
  await page.reload();
  await expect(page.getByTestId("lesson-statement")).toHaveText("Columns are snake_case, always.");

  await page.getByTestId("lesson-row").getByRole("button", { name: "Delete" }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Delete lesson" }).click();
  await expect(page.getByTestId("lessons-empty")).toBeVisible();
  const after = (await (await page.request.get("/api/v1/lessons")).json()) as { items: unknown[] };
  expect(after.items).toEqual([]);
});

test("search the knowledge base: the active store, an empty query refused, an uploaded document found with its citation", async ({ page, signedInUser }) => {
  void signedInUser;
  await page.goto("/settings/knowledge");
  const search = page.getByRole("search", { name: "Search the knowledge base" });
  // The embedded Postgres decides the store; either way the line says which one and why.
  await expect(page.getByTestId("knowledge-store")).toHaveText(/^(Full-text search only|Vector and full-text search \((pgvector|Pinecone)\)): \S.+/);

  await search.getByRole("button", { name: "Search" }).click();
  await expect(search.getByText("Say what to search for.")).toBeVisible();
  await expect(search.getByLabel("Search for")).toHaveAttribute("aria-invalid", "true");

  const upload = page.getByRole("form", { name: "Upload a document" });
  await upload.getByLabel("Title").fill("Release runbook");
  await upload.getByLabel("Content").fill("# Releases\n\nTag every release.\n\n## Rollback\n\nRoll back with the wombatron switch, then page the on-call.\n");
  await upload.getByRole("button", { name: "Upload" }).click();
  await expect(page.getByTestId("document-notice")).toContainText("Release runbook is uploaded and indexed.");

  await search.getByLabel("Search for").fill("wombatron");
  await search.getByRole("button", { name: "Search" }).click();
  const first = page.getByTestId("knowledge-result").first();
  await expect(first.getByTestId("knowledge-citation")).toHaveText("Release runbook:5-8");
  await expect(first.getByTestId("knowledge-source-badge")).toHaveText("Document");
  await expect(first.getByTestId("knowledge-excerpt")).toContainText("Roll back with the wombatron switch");

  await search.getByLabel("Search for").fill("xylophonequartz");
  await search.getByLabel("Source").selectOption("lesson");
  await search.getByRole("button", { name: "Search" }).click();
  await expect(page.getByTestId("knowledge-search-empty")).toHaveText("Nothing found for “xylophonequartz”.");
});
