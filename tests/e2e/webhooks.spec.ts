import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import AxeBuilder from "@axe-core/playwright";
import { Webhook } from "standardwebhooks";
import { expect, test } from "./fixtures";

/**
 * Settings → Webhooks from the browser: a bad URL is refused inline, an endpoint pointing at a
 * receiver this test runs (node:http on 127.0.0.1; `SQUADRON_HOSTED` is off here, so loopback is
 * allowed) is added and its `whsec_` secret shown once; a task created through the API is delivered,
 * signed (checked with `standardwebhooks`), and appears in the delivery log with its 2xx; a resend
 * arrives with the same `webhook-id`; the endpoint is turned off and on, and deleted.
 */

type Received = { headers: IncomingHttpHeaders; body: string };

let server: Server;
let received: Received[] = [];
let receiverUrl = "";

test.beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      res.writeHead(200, { "content-type": "text/plain" }).end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  receiverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/squadron`;
});

test.afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function standardHeaders(h: IncomingHttpHeaders): Record<string, string> {
  return { "webhook-id": String(h["webhook-id"]), "webhook-timestamp": String(h["webhook-timestamp"]), "webhook-signature": String(h["webhook-signature"]) };
}

type Payload = { type: string; data: { task?: { id: string } } };

test("Settings → Webhooks: bad URL, add an endpoint, a signed delivery in the log, resend, off and on, delete", async ({ page, signedInUser }, testInfo) => {
  test.setTimeout(180_000);
  void signedInUser;
  received = [];
  await page.getByRole("link", { name: "Settings" }).click();
  await page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "Webhooks" }).click();
  await expect(page).toHaveURL(/\/settings\/webhooks$/);
  await expect(page.getByTestId("webhooks-empty")).toBeVisible();
  await expect(page.getByRole("heading", { name: "Verify signatures" })).toBeVisible();
  await expect(page.getByText("webhook-signature").first()).toBeVisible();

  // A bad URL and no event type are refused on their fields, before any request.
  const form = page.getByRole("form", { name: "Add webhook endpoint" });
  await form.getByLabel("Endpoint URL").fill("not a url");
  for (const type of ["task.created", "task.completed", "task.failed", "task.cancelled", "approval.requested", "approval.decided"]) {
    await form.getByLabel(type, { exact: true }).uncheck();
  }
  await form.getByRole("button", { name: "Add endpoint" }).click();
  await expect(form.getByText("Enter an http:// or https:// URL")).toBeVisible();
  await expect(form.getByLabel("Endpoint URL")).toHaveAttribute("aria-invalid", "true");
  await expect(form.getByText("Choose at least one event type")).toBeVisible();
  await expect(page.getByTestId("webhooks-empty")).toBeVisible();

  // Add: the secret is shown once.
  await form.getByLabel("Endpoint URL").fill(receiverUrl);
  await form.getByLabel("Description (optional)").fill("e2e receiver");
  await form.getByLabel("task.created", { exact: true }).check();
  await form.getByLabel("task.completed", { exact: true }).check();
  await form.getByRole("button", { name: "Add endpoint" }).click();
  const shown = page.getByTestId("webhook-endpoint-secret-shown");
  await expect(shown).toContainText("Copy the signing secret now");
  const secret = (await page.getByTestId("webhook-endpoint-secret").textContent())?.trim() ?? "";
  expect(secret).toMatch(/^whsec_[A-Za-z0-9+/=]+$/);
  const row = page.getByTestId("webhook-endpoint-row").filter({ hasText: receiverUrl });
  await expect(row).toHaveCount(1);
  await expect(row.getByTestId("webhook-endpoint-status")).toHaveText("Enabled");
  await expect(row).toContainText("task.created");
  await expect(row.getByTestId("webhook-endpoint-failures")).toContainText("0 of 5");
  await shown.getByRole("button", { name: "Done" }).click();
  await expect(shown).toHaveCount(0);
  await page.reload();
  await expect(page.getByText(secret)).toHaveCount(0);

  // A task created through the API is delivered, signed with that secret.
  const created = await page.request.post("/api/v1/tasks", { data: { title: "Announce me to the webhook" } });
  expect(created.status()).toBe(201);
  const { id: taskId } = (await created.json()) as { id: string };
  const isTaskCreated = (r: Received) => {
    const body = JSON.parse(r.body) as Payload;
    return body.type === "task.created" && body.data.task?.id === taskId;
  };
  await expect.poll(() => received.filter(isTaskCreated).length, { timeout: 90_000, message: "task.created delivered" }).toBeGreaterThan(0);
  const delivery = received.find(isTaskCreated)!;
  const verified = new Webhook(secret).verify(delivery.body, standardHeaders(delivery.headers)) as Payload;
  expect(verified.type).toBe("task.created");
  expect(() => new Webhook(`whsec_${Buffer.from("not the secret, 32 bytes long!!!").toString("base64")}`).verify(delivery.body, standardHeaders(delivery.headers))).toThrow();
  const webhookId = String(delivery.headers["webhook-id"]);

  // The delivery log shows it with its 2xx.
  await row.getByRole("button", { name: "Show delivery log" }).click();
  const logged = row.locator(`[data-testid="webhook-delivery"][data-event-id="${webhookId}"]`);
  await expect(logged.first()).toBeVisible({ timeout: 30_000 });
  await expect(logged.first()).toHaveAttribute("data-status", "succeeded");
  await expect(logged.first().getByTestId("webhook-delivery-response")).toHaveText("200");
  await testInfo.attach("webhooks", { body: await page.screenshot({ fullPage: true }), contentType: "image/png" });
  const axe = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  expect(axe.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.id}: ${v.help}`), "serious accessibility findings").toEqual([]);

  // Resend: the same event again, same webhook-id, marked as a resend in the log.
  const before = received.filter((r) => r.headers["webhook-id"] === webhookId).length;
  await logged.first().getByRole("button", { name: "Resend" }).click();
  await expect.poll(() => received.filter((r) => r.headers["webhook-id"] === webhookId).length, { timeout: 60_000, message: "resent" }).toBeGreaterThan(before);
  await expect(logged.filter({ hasText: "resend" })).toHaveCount(1, { timeout: 30_000 });

  // Off and on.
  const enabled = row.getByRole("switch", { name: "Enabled" });
  await expect(enabled).toHaveAttribute("aria-checked", "true");
  await enabled.click();
  await expect(row.getByTestId("webhook-endpoint-status")).toHaveText("Disabled");
  await expect(enabled).toHaveAttribute("aria-checked", "false");
  await expect(logged.first().getByRole("button", { name: "Resend" })).toBeDisabled();
  await enabled.click();
  await expect(row.getByTestId("webhook-endpoint-status")).toHaveText("Enabled");
  await expect(enabled).toHaveAttribute("aria-checked", "true");

  // Rotate: a new secret, shown once.
  await row.getByRole("button", { name: "Rotate secret" }).click();
  await row.getByRole("button", { name: "Rotate secret now" }).click();
  await expect(page.getByTestId("webhook-endpoint-secret-shown")).toContainText("New signing secret");
  const rotated = (await page.getByTestId("webhook-endpoint-secret").textContent())?.trim() ?? "";
  expect(rotated).toMatch(/^whsec_/);
  expect(rotated).not.toBe(secret);

  // Delete asks first.
  await row.getByRole("button", { name: "Delete" }).click();
  await row.getByRole("button", { name: "Keep it" }).click();
  await expect(row).toHaveCount(1);
  await row.getByRole("button", { name: "Delete" }).click();
  await expect(row.getByRole("alertdialog")).toContainText("Its delivery log goes with it");
  await row.getByRole("button", { name: "Delete endpoint" }).click();
  await expect(row).toHaveCount(0);
  await expect(page.getByTestId("webhooks-empty")).toBeVisible();

  const audit = await page.request.get("/api/v1/audit-events?limit=20");
  const actions = ((await audit.json()) as { items: { action: string }[] }).items.map((e) => e.action);
  expect(actions).toEqual(
    expect.arrayContaining(["webhook_endpoint.created", "webhook_endpoint.updated", "webhook_endpoint.delivery_resent", "webhook_endpoint.secret_rotated", "webhook_endpoint.deleted"]),
  );
});
