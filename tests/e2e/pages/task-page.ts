import { expect, type Page } from "@playwright/test";

/** `/tasks/{id}`: the live task page. */
export class TaskPage {
  constructor(readonly page: Page) {}

  async goto(taskId: string) {
    await this.page.goto(`/tasks/${taskId}`);
  }

  get title() {
    return this.page.getByTestId("task-title");
  }

  get status() {
    return this.page.getByTestId("task-status");
  }

  get timeline() {
    return this.page.getByRole("log", { name: "Squad activity" });
  }

  get patch() {
    return this.page.getByTestId("patch");
  }

  get testReport() {
    return this.page.getByTestId("test-report");
  }

  get testResult() {
    return this.page.getByTestId("test-report-result");
  }

  get review() {
    return this.page.getByTestId("review");
  }

  get usage() {
    return this.page.getByTestId("usage");
  }

  get offlineLabels() {
    return this.page.getByTestId("offline-model-label");
  }

  async expectStatus(status: string, timeout?: number) {
    await expect(this.status).toHaveAttribute("data-status", status, { timeout });
  }

  /**
   * Puts a marker on `window`; {@link expectNotReloaded} fails if the document was replaced since,
   * which proves that what changed on the page arrived live.
   */
  async markDocument() {
    await this.page.evaluate(() => {
      Object.assign(window, { __squadronE2eMarker: true });
    });
  }

  /**
   * Records every status the page's badge shows from now on (a MutationObserver in the page), so a
   * test can prove the page moved through statuses by itself.
   */
  async recordStatuses() {
    await this.page.evaluate(() => {
      const seen: string[] = [];
      const read = () => {
        const status = document.querySelector('[data-testid="task-status"]')?.getAttribute("data-status");
        if (status && seen[seen.length - 1] !== status) seen.push(status);
      };
      read();
      new MutationObserver(read).observe(document.body, {
        subtree: true,
        childList: true,
        attributes: true,
        attributeFilter: ["data-status"],
      });
      Object.assign(window, { __squadronStatuses: seen });
    });
  }

  async recordedStatuses(): Promise<string[]> {
    return this.page.evaluate(() => {
      const value: unknown = Reflect.get(window, "__squadronStatuses");
      return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
    });
  }

  async expectNotReloaded() {
    const marker = await this.page.evaluate(() => "__squadronE2eMarker" in window);
    expect(marker, "the page was reloaded or navigated away").toBe(true);
  }
}
