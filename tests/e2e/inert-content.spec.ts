import { expect, test } from "./fixtures";

// Markup and script in a title must be shown as text wherever it appears (list, task page, timeline).
const HOSTILE_TITLE = `<img src=x id=pwned-img onerror="window.__pwned=1;alert('img')"><script>window.__pwned=2;alert('script')</script><b id=pwned-b>bold</b>`;

test("an HTML/JS task title renders as inert text", async ({ page, signedInUser, tasksPage, taskPage }) => {
  void signedInUser;
  const dialogs: string[] = [];
  page.on("dialog", (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });

  const taskId = await tasksPage.createTask(HOSTILE_TITLE, `<iframe id="pwned-frame" src="javascript:alert('frame')"></iframe>`);
  await expect(taskPage.title).toHaveText(HOSTILE_TITLE);
  // Give the squad time to echo the title into the timeline and artifacts.
  await expect(taskPage.timeline.getByTestId("timeline-event").nth(2)).toBeVisible({ timeout: 60_000 });

  await tasksPage.goto();
  await expect(tasksPage.row(taskId).getByTestId("task-row-title")).toHaveText(HOSTILE_TITLE);
  await taskPage.goto(taskId);
  await expect(taskPage.title).toHaveText(HOSTILE_TITLE);
  await expect(page.getByTestId("task-description")).toContainText("<iframe");

  expect(dialogs).toEqual([]);
  expect(await page.evaluate(() => "__pwned" in window)).toBe(false);
  await expect(page.locator("#pwned-img, #pwned-b, #pwned-frame")).toHaveCount(0);
});
