import type { Page } from "@playwright/test";
import { expect, test } from "./fixtures";

/**
 * Every war-room page hydrates without a mismatch even when the browser's clock, locale and time zone
 * are not the server's: the clock runs three minutes ahead, the locale is German and the zone is
 * UTC+14. Any text the server and the browser compute differently (an age from `Date.now()`, a date
 * formatted in the default locale or zone) fails here every time, not once in a while (React #418).
 * The fixture fails the test on any page error or hydration message.
 */

test.use({ locale: "de-DE", timezoneId: "Pacific/Kiritimati", actionTimeout: 15_000 });

const AHEAD_MS = 3 * 60_000;

async function visit(page: Page, path: string, heading: RegExp | string) {
  await page.goto(path);
  await expect(page.getByRole("heading", { level: 1, name: heading })).toBeVisible();
  // Hydration has run once the page's scripts have loaded and React has committed; give recoverable
  // errors (reported asynchronously) a moment to surface.
  await page.waitForFunction(() => document.readyState === "complete");
  await page.waitForTimeout(300);
}

test("war-room pages hydrate without mismatches with a browser clock, locale and time zone unlike the server's", async ({ page, signedInUser }) => {
  test.setTimeout(90_000);
  expect(signedInUser.email).toBeTruthy();
  await page.clock.setFixedTime(Date.now() + AHEAD_MS);

  const created = await page.request.post("/api/v1/tasks", { data: { title: "Add a DELETE /todos/:id endpoint" } });
  expect(created.status()).toBe(201);
  const { id: taskId } = (await created.json()) as { id: string };
  const squads = (await (await page.request.get("/api/v1/squads")).json()) as { id: string }[];

  // The task list shows each task's repository, cost so far and duration.
  await visit(page, "/tasks", "Tasks");
  const row = page.locator(`[data-testid="task-row"][data-task-id="${taskId}"]`);
  await expect(row.getByTestId("task-row-repository")).toHaveText(/todo-api/);
  await expect(row.getByTestId("task-row-cost")).toHaveText(/\$\d+\.\d{2}/);
  await expect(row.getByTestId("task-row-duration")).toHaveText(/Not started|\d+(s|m)/);

  // The board's ages: server and browser print the server's age at first, then the browser's clock.
  await visit(page, "/board", "Board");
  const card = page.locator(`[data-testid="board-card"][data-task-id="${taskId}"]`);
  await expect(card).toContainText(/Age\s*3 min/);

  await visit(page, `/tasks/${taskId}`, "Add a DELETE /todos/:id endpoint");
  await visit(page, "/inbox", "Inbox");
  await visit(page, "/approvals", "Approvals");
  await visit(page, "/usage", "Usage");
  await visit(page, "/agents", "Agents");
  await visit(page, "/settings/repositories", "Settings");
  await visit(page, "/settings/squads", "Settings");
  await visit(page, `/settings/squads/${squads[0]?.id}`, "Settings");
  await visit(page, "/settings/billing", "Settings");
  await visit(page, "/settings/members", "Settings");
  await visit(page, "/settings/api-keys", "Settings");
  await visit(page, "/settings/audit", "Settings");
});
