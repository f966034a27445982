import { expect, test } from "./fixtures";

/**
 * Settings → Integrations → Jira: an owner gets field-level messages for a bad site URL and project
 * key, connects a site, sees the webhook URL and (once) the webhook secret, never the API token, and
 * "Test connection" says plainly that the site cannot be reached (nothing listens on the port).
 */
test("connect a Jira site from Settings → Jira", async ({ page, signedInUser }) => {
  void signedInUser;
  await page.getByRole("link", { name: "Settings" }).click();
  await page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "Jira" }).click();
  await expect(page).toHaveURL(/\/settings\/integrations\/jira$/);
  await expect(page.getByTestId("jira-connection")).toContainText("Jira is not connected yet.");

  const form = page.getByRole("form", { name: "Connect Jira" });
  await form.getByLabel("Site URL").fill("not a url");
  await form.getByLabel("Account email").fill("squad-bot@example.test");
  await form.getByLabel("API token").fill("ATATT-e2e-secret-token");
  await form.getByLabel("Projects").fill("proj-1");
  await form.getByRole("button", { name: "Connect Jira" }).click();
  await expect(form.getByText(/siteUrl must be your site's URL/)).toBeVisible();
  await expect(form.getByText(/A Jira project key is uppercase letters/)).toBeVisible();

  // Port 9 (discard) has no listener: the test call fails fast and says so.
  await form.getByLabel("Site URL").fill("http://127.0.0.1:9");
  await form.getByLabel("Projects").fill("PROJ, OPS");
  await form.getByLabel("Label").fill("squad");
  await form.getByRole("button", { name: "Connect Jira" }).click();
  const saved = page.getByTestId("jira-saved");
  await expect(saved).toContainText("Jira connected");
  await expect(saved).toContainText("/api/webhooks/jira/");
  // The page re-renders with the stored connection; the one-time secret is still on screen.
  await expect(page.getByTestId("jira-connection")).toContainText("http://127.0.0.1:9");
  await expect(page.getByTestId("jira-webhook-secret")).toHaveText(/^[0-9a-f]{64}$/);
  await expect(page.getByTestId("jira-connection")).toContainText("PROJ, OPS");
  await expect(page.getByTestId("jira-webhook-url")).toContainText("/api/webhooks/jira/");
  await expect(page.getByText("ATATT-e2e-secret-token")).toHaveCount(0);

  await page.getByRole("button", { name: "Test connection" }).click();
  await expect(page.getByTestId("jira-test-result")).toContainText("Jira could not be reached for reading the account");

  // A second save without a token keeps the stored one and makes no new secret.
  await form.getByLabel("Label").fill("ai-squad");
  await form.getByRole("button", { name: "Save changes" }).click();
  await expect(saved).toContainText("Saved");
  await expect(page.getByTestId("jira-webhook-secret")).toHaveCount(0);
  await expect(page.getByTestId("jira-connection")).toContainText("ai-squad");
});
