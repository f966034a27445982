import { expect, type Locator, type Page, type Response } from "@playwright/test";

export type Credentials = { name: string; email: string; password: string };

/** A user nobody has signed up with yet (unique per call). */
export function freshCredentials(label = "e2e"): Credentials {
  const id = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
  return { name: `E2E ${label} ${id}`, email: `${label}-${id}@example.test`, password: `pw-${id}-Secret!` };
}

/** Resubmits at most this many times when better-auth answers 429 (it allows 3 sign-ups / 10 s per IP). */
const MAX_RATE_LIMITED_RETRIES = 3;

/** `/sign-up` and `/sign-in`. */
export class AuthPage {
  constructor(readonly page: Page) {}

  /** Fills and submits the sign-up form. @returns the auth API's response (not the page outcome) */
  async signUp(user: Credentials): Promise<Response> {
    await this.page.goto("/sign-up");
    return this.fillSignUp(user);
  }

  /** Fills and submits the sign-up form already on the page (e.g. `/sign-up?next=…` reached by a link). */
  async fillSignUp(user: Credentials): Promise<Response> {
    await this.page.getByLabel("Name").fill(user.name);
    await this.page.getByLabel("Email").fill(user.email);
    await this.page.getByLabel("Password").fill(user.password);
    return this.submit("/api/auth/sign-up/email", this.page.getByRole("button", { name: "Create account" }));
  }

  async signIn(user: Pick<Credentials, "email" | "password">): Promise<Response> {
    await this.page.goto("/sign-in");
    await this.page.getByLabel("Email").fill(user.email);
    await this.page.getByLabel("Password").fill(user.password);
    return this.submit("/api/auth/sign-in/email", this.page.getByRole("button", { name: "Sign in" }));
  }

  async signOut() {
    await this.page.getByRole("button", { name: "Sign out" }).click();
    await expect(this.page).toHaveURL(/\/sign-in/);
  }

  /** The form's error banner (e.g. "User already exists"); not Next's route announcer, also an alert. */
  get error() {
    return this.page.locator("form").getByRole("alert");
  }

  /**
   * Submits and waits for the auth API's answer. The specs sign up many users from one IP within
   * seconds, which better-auth's rate limit refuses; like a patient user, wait out the window and retry.
   */
  private async submit(path: string, button: Locator): Promise<Response> {
    for (let attempt = 0; ; attempt++) {
      const [response] = await Promise.all([
        this.page.waitForResponse((r) => new URL(r.url()).pathname === path && r.request().method() === "POST"),
        button.click(),
      ]);
      if (response.status() !== 429 || attempt >= MAX_RATE_LIMITED_RETRIES) return response;
      await expect(this.error).toContainText(/too many requests/i);
      const retryAfterSeconds = Number(response.headers()["x-retry-after"] ?? "10");
      await this.page.waitForTimeout((Number.isFinite(retryAfterSeconds) ? retryAfterSeconds : 10) * 1000 + 500);
    }
  }
}
