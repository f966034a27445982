import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import AxeBuilder from "@axe-core/playwright";
import type { Page, TestInfo } from "@playwright/test";
import { expect, test } from "./fixtures";

/**
 * The settings a squad's owner runs from the browser: onboarding and the new-task form (pickers,
 * Markdown, budget, validation), Settings → Repositories (add, test command, rotate, delete) and
 * Settings → Squads (create, rename, autonomy, budgets, policy rules with their preview, agents).
 * Each main screen is screenshotted into the report and checked with axe (no serious findings).
 */

async function shoot(page: Page, testInfo: TestInfo, name: string) {
  await testInfo.attach(name, { body: await page.screenshot({ fullPage: true }), contentType: "image/png" });
}

/** axe-core on the page as it is now; fails on serious or critical findings (WCAG 2 A/AA rules). */
async function expectAccessible(page: Page, testInfo: TestInfo, name: string) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  const serious = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  await testInfo.attach(`axe-${name}.json`, { body: JSON.stringify(results.violations, null, 2), contentType: "application/json" });
  expect(
    serious.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`),
    `serious accessibility findings on ${name}`,
  ).toEqual([]);
}

/** A new git repository with one commit inside the e2e server's repositories root (`<DATA_DIR>/repos`). */
function makeLocalRepository(name: string): string {
  const dir = path.resolve(".data", `e2e-${process.env.E2E_RUN_ID}`, "repos", name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "README.md"), `# ${name}\n`);
  const git = (...args: string[]) => execFileSync("git", args, { cwd: dir, stdio: "ignore" });
  git("init", "-q");
  git("add", ".");
  git("-c", "user.email=e2e@example.com", "-c", "user.name=e2e", "commit", "-q", "-m", "init");
  return dir;
}

test.describe("the war room's settings", () => {
  test.setTimeout(240_000);

  test("onboarding, the new-task form's validation, Markdown and pickers, and the outcome badge", async ({ page, signedInUser, tasksPage, taskPage }, testInfo) => {
    void signedInUser;
    const onboarding = page.getByTestId("onboarding");
    await expect(onboarding).toBeVisible();
    await expect(onboarding.getByTestId("onboarding-step").nth(0)).toHaveAttribute("data-done", "true");
    await expect(onboarding.getByTestId("onboarding-step").nth(1)).toHaveAttribute("data-done", "false");
    await expect(page.getByLabel("Repository")).toContainText("todo-api (the squad's)");
    await expect(page.getByTestId("task-estimate")).toBeVisible();
    await shoot(page, testInfo, "tasks-onboarding");
    await expectAccessible(page, testInfo, "tasks");

    // Client-side validation with the API's schema.
    await tasksPage.createButton.click();
    await expect(page.getByText("Title is required")).toBeVisible();
    await tasksPage.titleInput.fill("Add a DELETE /todos/:id endpoint");
    await page.getByLabel("Budget (USD)").fill("two dollars");
    await tasksPage.createButton.click();
    await expect(page.getByText("Budget must be a positive amount in USD, e.g. 2.50")).toBeVisible();
    await expect(page.getByLabel("Budget (USD)")).toHaveAttribute("aria-invalid", "true");
    await shoot(page, testInfo, "new-task-validation");

    // Markdown, previewed and then rendered (sanitised) on the task page.
    const description = "Return **204** when deleted.\n\n| code | when |\n| --- | --- |\n| 404 | missing |\n\n- [x] tests\n\nSee https://example.com/spec <script>window.__injected = 1</script>";
    await tasksPage.descriptionInput.fill(description);
    await page.getByRole("button", { name: "Preview" }).click();
    await expect(page.getByTestId("description-preview").locator("strong")).toHaveText("204");
    await expect(page.getByTestId("description-preview").locator("table")).toBeVisible();
    await page.getByRole("button", { name: "Edit" }).click();
    await page.getByLabel("Budget (USD)").fill("50");
    await tasksPage.createButton.click();
    await page.waitForURL(/\/tasks\/[0-9a-f-]{36}$/);

    const rendered = page.getByTestId("task-description");
    await expect(rendered.locator("strong")).toHaveText("204");
    await expect(rendered.locator("td").first()).toHaveText("404");
    await expect(rendered.locator('input[type="checkbox"]')).toBeChecked();
    await expect(rendered.getByRole("link", { name: "https://example.com/spec" })).toHaveAttribute("target", "_blank");
    await expect(rendered.locator("script")).toHaveCount(0);
    expect(await page.evaluate(() => (window as unknown as { __injected?: number }).__injected)).toBeUndefined();

    // When the run ends, the outcome badge appears on the task page and in the list, with the
    // outcome's own label (the lifecycle spec checks the Delivered case of the example task).
    const outcome = page.getByTestId("task-outcome");
    await expect(outcome).toHaveAttribute("data-outcome", /^(delivered|no_changes|failed|cancelled|rejected)$/, { timeout: 200_000 });
    const ended = (await outcome.getAttribute("data-outcome")) ?? "";
    const labels: Record<string, RegExp> = { delivered: /Delivered/, no_changes: /No changes/, failed: /Failed/, cancelled: /Cancelled/, rejected: /Rejected/ };
    await expect(outcome).toHaveText(labels[ended]);
    const taskId = new URL(page.url()).pathname.split("/").pop();
    const detail = await page.request.get(`/api/v1/tasks/${taskId}`);
    const body = (await detail.json()) as { outcome: string; status: string; error: string | null; budget: { budgetUsdMicros: number } };
    await testInfo.attach("task.json", { body: JSON.stringify({ status: body.status, outcome: body.outcome, error: body.error, budget: body.budget }, null, 2), contentType: "application/json" });
    expect(body.outcome).toBe(ended);
    expect(body.budget.budgetUsdMicros).toBe(50_000_000);
    await shoot(page, testInfo, "task-ended");
    await expectAccessible(page, testInfo, "task");
    void taskPage;
    await tasksPage.goto();
    await expect(page.getByTestId("onboarding")).toHaveCount(0);
    await expect(page.getByTestId("task-row-outcome").first()).toHaveAttribute("data-outcome", ended);
    await expect(page.getByTestId("task-row-outcome").first()).toHaveText(labels[ended]);
    await shoot(page, testInfo, "tasks-with-outcome");
  });

  test("Settings → Repositories: validation, add a local repository, test command, rotate the secret, delete", async ({ page, signedInUser }, testInfo) => {
    void signedInUser;
    await page.getByRole("link", { name: "Settings" }).click();
    await page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "Repositories" }).click();
    await expect(page).toHaveURL(/\/settings\/repositories$/);
    const example = page.getByTestId("repository-row").filter({ hasText: "todo-api" });
    await expect(example.getByTestId("repository-webhook-url")).toContainText("/api/webhooks/github/");

    const form = page.getByRole("form", { name: "Add repository" });
    await form.getByLabel("Test command").fill("");
    await form.getByRole("button", { name: "Add repository" }).click();
    await expect(form.getByText("Name is required")).toBeVisible();
    await expect(form.getByText("Enter the folder of a git repository on this server")).toBeVisible();
    await expect(form.getByText("Test command is required")).toBeVisible();
    await expect(form.getByText(/Too small|expected string/)).toHaveCount(0);
    // The server's refusal (outside the allowed roots) lands on the path field.
    await form.getByLabel("Name").fill("outside");
    await form.getByLabel("Local path").fill("/etc");
    await form.getByLabel("Test command").fill("npm test");
    await form.getByRole("button", { name: "Add repository" }).click();
    await expect(page.locator("#repo-path-error")).toBeVisible();
    await expect(page.locator("#repo-path")).toHaveAttribute("aria-invalid", "true");
    await shoot(page, testInfo, "repositories-validation");

    const name = `widgets-${Date.now()}`;
    const dir = makeLocalRepository(name);
    await form.getByLabel("Name").fill(name);
    // Relative to the repositories folder, as the field's hint says.
    await form.getByLabel("Local path").fill(name);
    await form.getByRole("button", { name: "Add repository" }).click();
    await expect(page.getByTestId("webhook-secret-shown")).toContainText(`${name} is connected`);
    await expect(page.getByTestId("webhook-secret")).toHaveText(/^[0-9a-f]{64}$/);
    const row = page.getByTestId("repository-row").filter({ hasText: name });
    await expect(row).toHaveCount(1);
    await expect(row).toContainText(dir);

    // Test command: empty is refused, a new one is saved and survives a reload.
    const testCommand = row.getByRole("textbox", { name: "Test command" });
    await testCommand.fill(" ");
    await row.getByRole("button", { name: "Save" }).click();
    await expect(row.getByText("Test command is required")).toBeVisible();
    await testCommand.fill("npm run test:ci");
    await row.getByRole("button", { name: "Save" }).click();
    await expect(row.getByText("Saved.")).toBeVisible();
    await page.reload();
    await expect(page.getByTestId("repository-row").filter({ hasText: name }).getByRole("textbox", { name: "Test command" })).toHaveValue("npm run test:ci");
    // Its code is indexed in the background (knowledge): the row follows the run without a reload.
    const indexStatus = page.getByTestId("repository-row").filter({ hasText: name }).getByTestId("repository-index-status");
    await expect(indexStatus).toHaveAttribute("data-status", "indexed", { timeout: 90_000 });
    await expect(indexStatus).toContainText(/Indexed \d+ files, \d+ chunks at [0-9a-f]{7}/);

    // Rotate: confirm, then the new secret is shown once.
    const again = page.getByTestId("repository-row").filter({ hasText: name });
    await again.getByRole("button", { name: "Rotate webhook secret" }).click();
    await again.getByRole("button", { name: "Rotate secret" }).click();
    await expect(page.getByTestId("webhook-secret-shown")).toContainText(`New webhook secret for ${name}`);
    await shoot(page, testInfo, "repositories");
    await expectAccessible(page, testInfo, "repositories");

    // Delete asks first; "Keep it" keeps it.
    await again.getByRole("button", { name: "Delete" }).click();
    await again.getByRole("button", { name: "Keep it" }).click();
    await expect(again).toHaveCount(1);
    await again.getByRole("button", { name: "Delete" }).click();
    await expect(again.getByRole("alertdialog")).toContainText("Files on disk are not touched");
    await again.getByRole("button", { name: `Delete ${name}` }).click();
    await expect(page.getByTestId("repository-row").filter({ hasText: name })).toHaveCount(0);

    // A GitHub repository needs no local path; its name must look like owner/name.
    const githubName = `gh-${Date.now()}`;
    await form.getByLabel("Name").fill(githubName);
    await form.getByLabel("Local path").fill("");
    await form.getByLabel("GitHub repository").fill("not a repository");
    await form.getByRole("button", { name: "Add repository" }).click();
    await expect(form.getByText("Enter it as owner/name, e.g. acme/widgets")).toBeVisible();
    await form.getByLabel("GitHub repository").fill(`acme/${githubName}`);
    await form.getByRole("button", { name: "Add repository" }).click();
    await expect(page.getByTestId("webhook-secret-shown")).toContainText(`${githubName} is connected`);
    await expect(page.getByTestId("repository-row").filter({ hasText: githubName })).toContainText(`github.com/acme/${githubName}`);

    const audit = await page.request.get("/api/v1/audit-events?limit=10");
    const actions = ((await audit.json()) as { items: { action: string }[] }).items.map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(["repository.created", "repository.updated", "repository.webhook_secret_rotated", "repository.deleted"]));
  });

  test("Settings → Squads: create, settings, policy rules with preview, agents", async ({ page, signedInUser }, testInfo) => {
    void signedInUser;
    await page.goto("/settings/squads");
    await expect(page.getByTestId("squad-row")).toHaveCount(1);
    const create = page.getByRole("form", { name: "Create squad" });
    await create.getByRole("button", { name: "Create squad" }).click();
    await expect(create.getByText("Name is required")).toBeVisible();
    await create.getByLabel("Name").fill("Payments squad");
    await create.getByLabel("Repository").selectOption({ label: "todo-api" });
    await create.getByRole("button", { name: "Create squad" }).click();
    await page.waitForURL(/\/settings\/squads\/[0-9a-f-]{36}$/);
    await expect(page.getByTestId("squad-title")).toHaveText("Payments squad");

    // Settings: validation, then rename, autonomy and budgets.
    const settings = page.getByRole("form", { name: "Squad settings" });
    await settings.getByLabel("Budget per task (USD)").fill("-3");
    await settings.getByRole("button", { name: "Save settings" }).click();
    await expect(settings.getByText("Budget per task must be a positive amount in USD, e.g. 2.50")).toBeVisible();
    await settings.getByLabel("Name", { exact: true }).fill("Payments");
    await settings.getByLabel("Human required").check();
    await settings.getByLabel("Budget per task (USD)").fill("1.50");
    await settings.getByRole("button", { name: "Save settings" }).click();
    await expect(settings.getByText("Saved.")).toBeVisible();
    await expect(page.getByTestId("squad-title")).toHaveText("Payments");

    // Policy: with no rules the autonomy level decides the preview.
    const policy = page.getByRole("form", { name: "Policy rules" });
    const decision = page.getByTestId("policy-decision");
    await expect(decision).toHaveAttribute("data-decision", "require_approval");
    await expect(decision).toContainText("No rule matched");
    await policy.getByRole("button", { name: "Add rule" }).click();
    const rule = policy.getByTestId("policy-rule").first();
    await rule.getByLabel("Rule id").fill("");
    await policy.getByRole("button", { name: "Save policy" }).click();
    await expect(rule.locator("#rule-0-id-error")).toBeVisible();
    await rule.getByLabel("Rule id").fill("no-migrations");
    await rule.getByLabel("Then").selectOption("deny");
    await rule.getByLabel("And a changed file matches").fill("**/migrations/**\nmigrations/**");
    await rule.getByLabel("Reason shown to the person asked").fill("Schema changes go through the DBA");
    // The preview follows the form at once: the sample change touches a migration.
    await expect(decision).toHaveAttribute("data-decision", "deny");
    await expect(decision).toHaveAttribute("data-rule", "no-migrations");
    await expect(decision).toContainText("Schema changes go through the DBA");
    await page.getByLabel("Changed files").fill("src/app.ts");
    await expect(decision).toHaveAttribute("data-rule", "");
    await policy.getByRole("button", { name: "Save policy" }).click();
    await expect(policy.getByText("Policy saved.")).toBeVisible();
    await shoot(page, testInfo, "squad-policy");

    // Agents: a bad model route is refused, instructions are saved.
    const developer = page.locator('[data-testid="agent-editor"][data-role="developer"]');
    await developer.getByLabel("Model route").fill("gpt-5");
    await developer.getByRole("button", { name: /^Save / }).click();
    await expect(developer.getByText(/Write provider:model/)).toBeVisible();
    await developer.getByLabel("Model route").fill("offline:scripted");
    await developer.getByLabel("Extra instructions").fill("Prefer small functions.");
    await developer.getByRole("button", { name: /^Save / }).click();
    await expect(developer.getByText("Saved.")).toBeVisible();

    await page.reload();
    await expect(page.getByRole("form", { name: "Squad settings" }).getByLabel("Human required")).toBeChecked();
    await expect(page.getByTestId("policy-rule")).toHaveCount(1);
    await expect(page.locator('[data-testid="agent-editor"][data-role="developer"]').getByLabel("Extra instructions")).toHaveValue("Prefer small functions.");
    await shoot(page, testInfo, "squad-settings");
    await expectAccessible(page, testInfo, "squad");

    await page.goto("/settings/squads");
    await expect(page.getByTestId("squad-row")).toHaveCount(2);
    await shoot(page, testInfo, "squads");
    await expectAccessible(page, testInfo, "squads");
    const audit = await page.request.get("/api/v1/audit-events?limit=10");
    const actions = ((await audit.json()) as { items: { action: string }[] }).items.map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(["squad.created", "squad.updated"]));
  });
});
