import { expect, type Page } from "@playwright/test";

/** `/tasks`: the organization's task list and the new-task form. */
export class TasksPage {
  constructor(readonly page: Page) {}

  async goto() {
    await this.page.goto("/tasks");
    await expect(this.page.getByRole("heading", { name: "Tasks", level: 1 })).toBeVisible();
  }

  get titleInput() {
    return this.page.getByLabel("Title");
  }

  get descriptionInput() {
    return this.page.getByLabel("Description");
  }

  get createButton() {
    return this.page.getByRole("button", { name: "Create task" });
  }

  /** Fills and submits the new-task form (does not wait for the navigation). */
  async submitTask(title: string, description = "") {
    await this.titleInput.fill(title);
    await this.descriptionInput.fill(description);
    await this.createButton.click();
  }

  /** Creates a task and waits for its page. @returns the task id from the URL */
  async createTask(title: string, description = ""): Promise<string> {
    await this.submitTask(title, description);
    await this.page.waitForURL(/\/tasks\/[0-9a-f-]{36}$/);
    const id = new URL(this.page.url()).pathname.split("/").pop();
    if (!id) throw new Error(`no task id in ${this.page.url()}`);
    return id;
  }

  row(taskId: string) {
    return this.page.locator(`[data-testid="task-row"][data-task-id="${taskId}"]`);
  }
}
