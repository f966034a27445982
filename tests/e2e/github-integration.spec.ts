import { expect, test } from "./fixtures";

/**
 * Settings → Integrations → GitHub: an owner sees the GitHub repository they registered and that
 * nothing reaches it yet, gets a field-level message for a bad token, saves a fine-grained token
 * for the repository and sees the connection and the repository reached by it (no secret shown).
 */
test("connect a repository with a fine-grained token from Settings → GitHub", async ({ page, signedInUser }) => {
  void signedInUser;
  const origin = new URL(page.url()).origin;
  const fullName = `octo/e2e-${Date.now()}`;
  const registered = await page.request.post("/api/v1/repositories", { headers: { origin }, data: { name: "e2e", githubFullName: fullName } });
  expect(registered.status()).toBe(201);
  const { id } = (await registered.json()) as { id: string };

  await page.getByRole("link", { name: "Settings" }).click();
  await page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "GitHub" }).click();
  await expect(page).toHaveURL(/\/settings\/integrations\/github$/);
  await expect(page.getByRole("heading", { name: "GitHub", exact: true })).toBeVisible();
  const row = page.getByTestId("github-repositories").getByRole("row").filter({ hasText: fullName });
  await expect(row).toContainText("nothing");
  await expect(row).toContainText(`/api/webhooks/github/${id}`);

  const form = page.getByRole("form", { name: "Connect GitHub" });
  await form.getByLabel("Repository (owner/name)").fill(fullName);
  await form.getByLabel("Token").fill("short");
  await form.getByRole("button", { name: "Save connection" }).click();
  await expect(form.getByText("token must be a GitHub personal access token")).toBeVisible();

  const token = "github_pat_11E2ETESTTOKEN_0123456789abcdefghijklmnopqrstuvwxyz";
  await form.getByLabel("Token").fill(token);
  await form.getByRole("button", { name: "Save connection" }).click();
  await expect(form.getByRole("status")).toContainText(`Token saved for ${fullName}`);
  await expect(page.getByTestId("github-connections")).toContainText(fullName);
  await expect(row).toContainText("repository token");
  await expect(page.getByText(token)).toHaveCount(0);

  // The App form asks for what GitHub shows on the app's page.
  await form.getByLabel("Connect with").selectOption("app");
  await expect(form.getByLabel("App ID")).toBeVisible();
  // Fresh fields (not the token form's inputs with the repository name still in them), no stale "Saved".
  await expect(form.getByLabel("App ID")).toHaveValue("");
  await expect(form.getByLabel("Webhook secret")).toHaveValue("");
  await expect(form.getByRole("status")).toHaveCount(0);
  await expect(form.getByLabel("Private key (.pem)")).toBeVisible();
  await expect(form.getByLabel("Webhook secret")).toBeVisible();
});
