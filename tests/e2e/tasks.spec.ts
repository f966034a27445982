import { expect, test } from "./fixtures";

test.describe("tasks", () => {
  test("the new-task form validates and shows the server's field errors", async ({ page, signedInUser, tasksPage }) => {
    void signedInUser;
    await expect(page.getByTestId("onboarding")).toBeVisible();

    await tasksPage.createButton.click();
    await expect(page.getByText("Title is required")).toBeVisible();
    await expect(tasksPage.titleInput).toHaveAttribute("aria-invalid", "true");

    // Whatever the client lets through, a 422 from the server lands on the field it names.
    await page.route("**/api/v1/tasks", async (route) => {
      if (route.request().method() !== "POST") return route.fallback();
      await route.fulfill({
        status: 422,
        json: {
          error: {
            code: "invalid_input",
            message: "Invalid request body: title: That title is taken",
            details: { issues: [{ path: "title", message: "That title is taken" }] },
          },
        },
      });
    });
    await tasksPage.submitTask("Some task");
    await expect(page.getByText("That title is taken")).toBeVisible();
    await expect(page).toHaveURL(/\/tasks$/);
  });

  test("an unknown task shows 'Task not found'", async ({ page, signedInUser, taskPage }) => {
    void signedInUser;
    await taskPage.goto("00000000-0000-4000-8000-000000000000");
    await expect(page.getByRole("heading", { name: "Task not found" })).toBeVisible();
    await taskPage.goto("not-a-uuid");
    await expect(page.getByRole("heading", { name: "Task not found" })).toBeVisible();
  });
});
