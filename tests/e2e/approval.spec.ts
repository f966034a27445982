import { expect, test } from "./fixtures";

const EXAMPLE_TASK = "Add a DELETE /todos/:id endpoint";

test.describe("a supervised squad stops for a person", () => {
  test.setTimeout(300_000);

  test("the task waits for approval, the person approves from the page, and it completes", async ({
    page,
    signedInUser,
    tasksPage,
    taskPage,
  }) => {
    expect(signedInUser.email).toBeTruthy();
    // Make the new organization's default squad supervised through the API, with the browser's session.
    const squadsRes = await page.request.get("/api/v1/squads");
    expect(squadsRes.status()).toBe(200);
    const squadsBody: unknown = await squadsRes.json();
    const list = Array.isArray(squadsBody) ? squadsBody : [];
    const squad = list[0] as { id?: unknown } | undefined;
    expect(typeof squad?.id).toBe("string");
    const patched = await page.request.patch(`/api/v1/squads/${String(squad?.id)}`, { data: { autonomy: "supervised" } });
    expect(patched.status()).toBe(200);

    const taskId = await tasksPage.createTask(EXAMPLE_TASK);
    await taskPage.expectStatus("awaiting_approval", 240_000);
    const approval = page.getByTestId("approval").first();
    await expect(approval.getByTestId("approval-reason")).toContainText(/supervised/i);

    await page.goto("/approvals");
    await expect(page.getByTestId("approval-list").getByTestId("approval")).toHaveCount(1);
    await page.getByTestId("approval-approve").first().click();
    // "Recently decided" shows the decision at once (not at its next 5 s poll).
    await expect(page.getByText("Nothing is waiting for a decision.")).toBeVisible();
    await expect(page.getByTestId("approval-list").getByTestId("approval")).toHaveCount(1, { timeout: 3_000 });
    await expect(page.getByTestId("approval-list")).toContainText(/approved/i, { timeout: 3_000 });

    await page.goto(`/tasks/${taskId}`);
    await taskPage.expectStatus("completed", 120_000);
    await expect(taskPage.patch).toContainText("DELETE");
  });
});
