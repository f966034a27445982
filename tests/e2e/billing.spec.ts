import { expect, test } from "./fixtures";

/**
 * Settings → Billing on the embedded default (no STRIPE_SECRET_KEY): the one unlimited self-hosted
 * plan, said so on the page, with usage bars against "unlimited" and no upgrade buttons; the API agrees
 * and refuses checkout. The Stripe-backed flow (checkout, webhooks, quotas, grace) is covered with the
 * real client against a stand-in in tests/integration/billing.test.ts.
 */
test("the billing page shows the self-hosted plan, its usage and that billing is off", async ({ page, request, signedInUser }) => {
  void signedInUser;
  await page.getByRole("link", { name: "Settings" }).click();
  await page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "Billing" }).click();
  await expect(page).toHaveURL(/\/settings\/billing$/);

  await expect(page.getByTestId("plan-name")).toHaveText("Self-hosted plan");
  await expect(page.getByText(/Billing is off on this deployment \(no STRIPE_SECRET_KEY\)/)).toBeVisible();
  const bars = page.getByTestId("usage-bar");
  await expect(bars).toHaveCount(4);
  await expect(page.getByRole("progressbar", { name: "Tasks this period" })).toHaveAttribute("aria-valuenow", "0");
  await expect(bars.filter({ hasText: "Seats" })).toContainText("1 of unlimited");
  await expect(page.getByRole("button", { name: /Upgrade to/ })).toHaveCount(0);
  await expect(page.getByTestId("past-due-banner")).toHaveCount(0);

  // The page and the API say the same; checkout is refused with a reason, not a 500.
  const cookies = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join("; ");
  const billing = await request.get("/api/v1/billing", { headers: { cookie: cookies } });
  expect(billing.status()).toBe(200);
  expect(await billing.json()).toMatchObject({ billingEnabled: false, plan: { id: "self_hosted" }, limits: { tasksPerMonth: null } });
  const checkout = await request.post("/api/v1/billing/checkout", { headers: { cookie: cookies, origin: new URL(page.url()).origin }, data: { plan: "team" } });
  expect(checkout.status()).toBe(409);
  expect((await checkout.json()).error.message).toMatch(/Billing is not enabled/);
});
