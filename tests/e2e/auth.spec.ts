import { expect, freshCredentials, test } from "./fixtures";

test("signed-out visitors are sent to sign in", async ({ page }) => {
  await page.goto("/tasks");
  await expect(page).toHaveURL(/\/sign-in\?next=%2Ftasks$/);
  await page.goto("/");
  await expect(page).toHaveURL(/\/sign-in$/);
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
});

test("sign up, sign out, sign back in; a taken email is refused", async ({ page, authPage }) => {
  const user = freshCredentials("auth");
  await authPage.signUp(user);
  await expect(page).toHaveURL(/\/tasks$/);

  await authPage.signOut();
  await page.goto("/tasks");
  await expect(page).toHaveURL(/\/sign-in/);

  await authPage.signUp({ ...user, name: "Someone else" });
  await expect(authPage.error).toContainText(/already exists/i);
  await expect(page).toHaveURL(/\/sign-up$/);

  await authPage.signIn({ email: user.email, password: "wrong-password" });
  await expect(authPage.error).toBeVisible();
  await expect(page).toHaveURL(/\/sign-in$/);

  await authPage.signIn(user);
  await expect(page).toHaveURL(/\/tasks$/);
  await expect(page.getByTestId("current-user")).toContainText(user.email);
});

test("form errors are shown on the fields", async ({ page }) => {
  await page.goto("/sign-up");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByText("Enter your name.")).toBeVisible();
  await expect(page.getByText("Enter a valid email address.")).toBeVisible();
  await expect(page.getByLabel("Email")).toHaveAttribute("aria-invalid", "true");
});
