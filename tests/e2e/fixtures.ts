import { test as base, expect } from "@playwright/test";
import { AuthPage, freshCredentials, type Credentials } from "./pages/auth-page";
import { TaskPage } from "./pages/task-page";
import { TasksPage } from "./pages/tasks-page";

type Fixtures = {
  authPage: AuthPage;
  tasksPage: TasksPage;
  taskPage: TaskPage;
  /** A user who has just signed up through the UI; the page is signed in and on `/tasks`. */
  signedInUser: Credentials;
  /** Fails the test on an uncaught page error or a React hydration mismatch (automatic). */
  failOnPageErrors: void;
};

export const test = base.extend<Fixtures>({
  failOnPageErrors: [
    async ({ page }, use) => {
      const problems: string[] = [];
      page.on("pageerror", (error) => problems.push(`uncaught: ${error.message}`));
      page.on("console", (message) => {
        if (message.type() === "error" && /hydrat/i.test(message.text())) problems.push(`console: ${message.text()}`);
      });
      await use();
      expect(problems, "errors in the page").toEqual([]);
    },
    { auto: true },
  ],
  authPage: async ({ page }, use) => use(new AuthPage(page)),
  tasksPage: async ({ page }, use) => use(new TasksPage(page)),
  taskPage: async ({ page }, use) => use(new TaskPage(page)),
  signedInUser: async ({ authPage, page }, use) => {
    const user = freshCredentials();
    await authPage.signUp(user);
    await expect(page).toHaveURL(/\/tasks$/);
    await use(user);
  },
});

export { expect };
export { freshCredentials };
