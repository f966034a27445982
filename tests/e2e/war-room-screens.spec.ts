import AxeBuilder from "@axe-core/playwright";
import type { Page, TestInfo } from "@playwright/test";
import { expect, test } from "./fixtures";

/**
 * The screens a squad's owner watches: the board and the plan graph updating live while a task
 * runs, the inbox and its bell, the usage charts and the agents page. Each is screenshotted into the
 * report and checked with axe (no serious or critical findings).
 */

const EXAMPLE_TASK = "Add a DELETE /todos/:id endpoint";

async function shoot(page: Page, testInfo: TestInfo, name: string) {
  await testInfo.attach(name, { body: await page.screenshot({ fullPage: true }), contentType: "image/png" });
}

async function expectAccessible(page: Page, testInfo: TestInfo, name: string) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  const serious = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  await testInfo.attach(`axe-${name}.json`, { body: JSON.stringify(results.violations, null, 2), contentType: "application/json" });
  expect(
    serious.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`),
    `serious accessibility findings on ${name}`,
  ).toEqual([]);
}

async function createTask(page: Page, title: string): Promise<string> {
  const res = await page.request.post("/api/v1/tasks", { data: { title } });
  expect(res.status()).toBe(201);
  const body = (await res.json()) as { id: string };
  return body.id;
}

test.describe("war room screens", () => {
  test.setTimeout(300_000);
  // A click that cannot land fails fast instead of using up the test's time.
  test.use({ actionTimeout: 15_000 });

  test("the board moves a running task across columns live, with repository, squad, cost and age", async ({ page, signedInUser }, testInfo) => {
    expect(signedInUser.email).toBeTruthy();
    await page.goto("/board");
    await expect(page.getByRole("heading", { name: "Board", level: 1 })).toBeVisible();
    const taskId = await createTask(page, EXAMPLE_TASK);
    const card = page.locator(`[data-testid="board-card"][data-task-id="${taskId}"]`);
    // The page was loaded before the task existed: it arrives with the board's refresh.
    await expect(card).toBeVisible({ timeout: 20_000 });
    await expect(card).toContainText("Default squad");
    await expect(card).toContainText(/Age\s*\d+ (s|min)/);
    // While it runs, the card is in an active column, then lands in Delivered with its outcome — no reload.
    await expect(page.getByTestId("board-column-running").locator(`[data-task-id="${taskId}"]`).or(page.getByTestId("board-column-planning").locator(`[data-task-id="${taskId}"]`))).toBeVisible({ timeout: 120_000 });
    await shoot(page, testInfo, "board-running.png");
    await expect(page.getByTestId("board-column-delivered").locator(`[data-task-id="${taskId}"]`)).toBeVisible({ timeout: 240_000 });
    await expect(card.getByTestId("board-card-outcome")).toHaveAttribute("data-outcome", "delivered");
    // The column says "Completed" (it also holds tasks that ended with no changes); the badge says "Delivered".
    await expect(page.getByTestId("board-column-delivered").getByRole("heading", { level: 2 })).toContainText("Completed");
    await expect(card.getByTestId("board-card-cost")).toHaveText(/^\$\d/);
    await shoot(page, testInfo, "board-delivered.png");
    await expectAccessible(page, testInfo, "board");
  });

  test("the plan graph colours subtasks by live status, shows elapsed time and filters the timeline", async ({ page, signedInUser }, testInfo) => {
    expect(signedInUser.email).toBeTruthy();
    const taskId = await createTask(page, EXAMPLE_TASK);
    await page.goto(`/tasks/${taskId}`);
    const graph = page.getByTestId("plan-graph");
    await expect(graph).toBeVisible({ timeout: 120_000 });
    const nodes = graph.getByTestId("plan-node");
    await expect(nodes).toHaveCount(3);
    // Live: some node runs while we watch, then every node completes without a reload.
    await expect(graph.locator('[data-testid="plan-node"][data-status="running"]')).toHaveCount(1, { timeout: 120_000 });
    await shoot(page, testInfo, "plan-graph-running.png");
    await expect(graph.locator('[data-testid="plan-node"][data-status="completed"]')).toHaveCount(3, { timeout: 240_000 });
    await expect(nodes.first().getByTestId("plan-node-elapsed")).toHaveText(/Completed · \d+ s/);
    // Edges for the dependencies (develop → test → review).
    await expect(graph.locator(".react-flow__edge")).toHaveCount(2);

    const allEvents = await page.locator('[data-testid="timeline-event"]').count();
    await nodes.first().click({ timeout: 15_000 });
    await expect(page.getByTestId("timeline-filter")).toContainText("only");
    const filtered = await page.locator('[data-testid="timeline-event"]').count();
    expect(filtered).toBeGreaterThan(0);
    expect(filtered).toBeLessThan(allEvents);
    await shoot(page, testInfo, "task-plan-graph-filtered.png");
    await page.getByRole("button", { name: "Show all" }).click();
    await expect(page.getByTestId("timeline-filter")).toHaveCount(0);
    await expectAccessible(page, testInfo, "task-page");
  });

  test("the bell and the inbox show an approval waiting and link to it; usage and agents pages render", async ({ page, signedInUser }, testInfo) => {
    expect(signedInUser.email).toBeTruthy();
    const squads = (await (await page.request.get("/api/v1/squads")).json()) as { id: string }[];
    const patched = await page.request.patch(`/api/v1/squads/${squads[0]?.id}`, { data: { autonomy: "supervised" } });
    expect(patched.status()).toBe(200);
    const taskId = await createTask(page, EXAMPLE_TASK);
    await page.goto("/board");
    const bell = page.getByTestId("inbox-bell");
    await expect(bell).toHaveAttribute("data-count", "0");
    await expect(bell).toHaveAttribute("data-count", "1", { timeout: 240_000 });
    await bell.click();
    await expect(page).toHaveURL(/\/inbox$/);
    const item = page.getByTestId("inbox-item");
    await expect(item).toHaveCount(1);
    await expect(item).toHaveAttribute("data-kind", "approval");
    await shoot(page, testInfo, "inbox.png");
    await expectAccessible(page, testInfo, "inbox");
    await item.getByTestId("inbox-action").click();
    await expect(page).toHaveURL(new RegExp(`/tasks/${taskId}$`));

    await page.goto("/usage");
    await expect(page.getByTestId("spend-chart")).toBeVisible();
    // No budget yet: the page points to where it is set (there is no "Settings → Budgets").
    await expect(page.getByRole("link", { name: "Settings → Squads" })).toHaveAttribute("href", "/settings/squads");
    // The offline model costs nothing, so bars are flat: the legend names the roles that spent.
    await expect(page.getByTestId("spend-chart")).toContainText("developer");
    await page.getByLabel("By model").check();
    await expect(page.getByTestId("spend-chart")).toContainText("offline");
    // recharts wraps long tick labels into lines: match the first words
    await expect(page.getByTestId("tokens-chart")).toContainText("Add a DELETE");
    await shoot(page, testInfo, "usage.png");
    await expectAccessible(page, testInfo, "usage");

    await page.goto("/agents");
    await expect(page.getByTestId("agent-row")).toHaveCount(4);
    await expect(page.locator('[data-testid="agent-row"][data-role="developer"]').getByTestId("agent-success-rate")).toHaveText("100%");
    // The product manager's runs are the tasks it planned (not subtasks): the task waiting for its
    // delivery approval is listed under it, linking to the task (it has not ended: no success rate yet).
    const manager = page.locator('[data-testid="agent-row"][data-role="product_manager"]');
    await expect(manager.getByRole("link", { name: EXAMPLE_TASK })).toHaveAttribute("href", `/tasks/${taskId}`);
    await expect(manager).not.toContainText("No runs yet");
    await shoot(page, testInfo, "agents.png");
    await expectAccessible(page, testInfo, "agents");
  });

  test("on a 390px phone the header and the settings tabs fit: no sideways scrolling, nothing overlaps", async ({ page, signedInUser }, testInfo) => {
    expect(signedInUser.email).toBeTruthy();
    await page.setViewportSize({ width: 390, height: 844 });
    for (const path of ["/tasks", "/board", "/settings/repositories"]) {
      await page.goto(path);
      await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow, `sideways scroll on ${path}`).toBeLessThanOrEqual(0);
      // The main links sit below the bell, organization switcher and Sign out, not under them.
      const nav = await page.getByRole("navigation", { name: "Main" }).boundingBox();
      const signOut = await page.getByRole("button", { name: "Sign out" }).boundingBox();
      expect(nav && signOut && nav.y >= signOut.y + signOut.height, `main links below Sign out on ${path}`).toBe(true);
    }
    await page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "Billing" }).click();
    await expect(page).toHaveURL(/\/settings\/billing$/);
    await shoot(page, testInfo, "phone-settings.png");
  });
});
