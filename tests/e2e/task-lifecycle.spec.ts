import { expect, freshCredentials, test } from "./fixtures";

const EXAMPLE_TASK = "Add a DELETE /todos/:id endpoint";

test.describe("a squad works a task from sign-up to patch", () => {
  // Plan → code → tests → review on the offline model takes a while on a small machine.
  test.setTimeout(300_000);

  test("new user creates the example task and watches it complete live", async ({
    page,
    authPage,
    tasksPage,
    taskPage,
  }) => {
    const user = freshCredentials("lifecycle");
    await authPage.signUp(user);
    await expect(page).toHaveURL(/\/tasks$/);
    await expect(page.getByTestId("current-user")).toContainText(user.email);

    const taskId = await tasksPage.createTask(EXAMPLE_TASK, "Return 204 when deleted, 404 when the todo does not exist.");
    await expect(taskPage.title).toHaveText(EXAMPLE_TASK);
    await taskPage.markDocument();
    await taskPage.recordStatuses();

    // Live: the status moves on and the timeline fills without any reload.
    await expect(taskPage.timeline.getByTestId("timeline-event").first()).toBeVisible({ timeout: 60_000 });
    await taskPage.expectStatus("completed", 240_000);
    await taskPage.expectNotReloaded();
    const statuses = await taskPage.recordedStatuses();
    expect(statuses.at(-1)).toBe("completed");
    expect(statuses.length, `statuses seen: ${statuses.join(" → ")}`).toBeGreaterThan(1);

    await expect(taskPage.patch).toContainText("DELETE");
    await expect(taskPage.patch.getByTestId("patch-file").first()).toBeVisible();
    await expect(taskPage.testResult).toHaveAttribute("data-passed", "true");
    await expect(taskPage.testResult).toHaveText(/Passed/);
    await expect(page.getByTestId("test-report-output")).not.toBeEmpty();
    await expect(taskPage.review).toBeVisible();
    await expect(page.getByTestId("subtask").first()).toBeVisible();
    await expect(taskPage.usage).toContainText("$");

    // The embedded default runs the scripted offline model: its output must say so.
    await expect(taskPage.offlineLabels.first()).toBeVisible();
    await expect(taskPage.timeline.getByTestId("offline-model-label").first()).toBeVisible();
    await taskPage.expectNotReloaded();

    await tasksPage.goto();
    await expect(tasksPage.row(taskId)).toContainText(EXAMPLE_TASK);
    await expect(tasksPage.row(taskId).locator('[data-outcome="delivered"]')).toBeVisible();
  });
});
