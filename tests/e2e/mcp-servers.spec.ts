import http from "node:http";
import type { AddressInfo } from "node:net";
import AxeBuilder from "@axe-core/playwright";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { z } from "zod";
import { expect, test } from "./fixtures";

/**
 * Settings → Squads → MCP servers and the policy's MCP tools, from the browser: an MCP server this
 * test runs (the SDK's `McpServer` over Streamable HTTP on 127.0.0.1, refusing requests without its
 * secret header; `SQUADRON_HOSTED` is off here, so loopback is allowed) is added with that header; the
 * API's 422 on a bad name shows on the field; the row lists its tool names and the header's name, never
 * its value; it is checked again, turned off and on, given a role; a policy rule refusing one of its
 * tools keeps its `tools` through save and reload (and the preview decides by tool name); it is deleted.
 */

const SECRET = "e2e-mcp-secret-4b9d2a71";
let mcpHttp: http.Server;
let mcpUrl = "";
let refused = 0;

function createTestMcpServer(): McpServer {
  const server = new McpServer({ name: "tester", version: "1.0.0" });
  server.registerTool("echo", { description: "Echoes the text back", inputSchema: { text: z.string() } }, async ({ text }) => ({ content: [{ type: "text", text: `echo: ${text}` }] }));
  server.registerTool("create_issue", { description: "Opens an issue", inputSchema: { title: z.string() } }, async ({ title }) => ({ content: [{ type: "text", text: `issue #1 ${title}` }] }));
  return server;
}

test.beforeAll(async () => {
  mcpHttp = http.createServer((req, res) => {
    if (req.headers["x-api-token"] !== SECRET) {
      refused++;
      res.writeHead(401, { "content-type": "application/json" }).end(JSON.stringify({ error: "bad token" }));
      return;
    }
    if (req.method !== "POST") {
      res.writeHead(405).end();
      return;
    }
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      void (async () => {
        const server = createTestMcpServer();
        const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
        await server.connect(transport);
        res.on("close", () => void server.close());
        await transport.handleRequest(req, res, JSON.parse(Buffer.concat(chunks).toString("utf8")));
      })().catch(() => {
        if (!res.headersSent) res.writeHead(500).end();
      });
    });
  });
  await new Promise<void>((resolve) => mcpHttp.listen(0, "127.0.0.1", resolve));
  mcpUrl = `http://127.0.0.1:${(mcpHttp.address() as AddressInfo).port}/mcp`;
});

test.afterAll(async () => {
  await new Promise<void>((resolve) => mcpHttp.close(() => resolve()));
});

test("Settings → Squads: add an MCP server with a secret header, its tools listed, a policy rule refusing one tool survives a reload", async ({ page, signedInUser }, testInfo) => {
  test.setTimeout(180_000);
  void signedInUser;
  await page.goto("/settings/squads");
  await page.getByTestId("squad-row").first().getByRole("link").click();
  await page.waitForURL(/\/settings\/squads\/[0-9a-f-]{36}$/);
  const squadId = page.url().split("/").pop()!;
  await expect(page.getByTestId("mcp-no-servers")).toBeVisible();

  // The API's 422 (name rules it alone checks) shows on the field.
  const add = page.getByRole("form", { name: "Add MCP server" });
  await add.getByLabel("Name", { exact: true }).fill("Bad Name");
  await add.getByLabel("URL").fill(mcpUrl);
  await add.getByRole("button", { name: "Add header" }).click();
  await add.getByLabel("Header 1 name").fill("X-Api-Token");
  await add.getByLabel("Header 1 value").fill(SECRET);
  await expect(add.getByLabel("Header 1 value")).toHaveAttribute("type", "password");
  await add.getByRole("button", { name: "Add MCP server" }).click();
  await expect(add.locator("#mcp-name-error")).toHaveText("Use 1 to 32 characters of a-z, 0-9, _ and -");
  await add.getByLabel("Name", { exact: true }).fill("tester");
  await add.getByRole("button", { name: "Add MCP server" }).click();
  await expect(add.getByRole("status")).toHaveText("Added tester: 2 tool(s).");

  const row = page.locator('[data-testid="mcp-server"][data-server-name="tester"]');
  await expect(row.getByTestId("mcp-server-tools")).toContainText("echo");
  await expect(row.getByTestId("mcp-server-tools")).toContainText("create_issue");
  await expect(row.getByTestId("mcp-server-headers")).toHaveText("X-Api-Token (values hidden)");
  await expect(row.getByTestId("mcp-server-url")).toHaveText(mcpUrl);
  await expect(row.getByTestId("mcp-server-error")).toHaveCount(0);
  // The form forgot the value; nothing on the page shows it.
  await expect(add.getByTestId("mcp-header-row")).toHaveCount(0);
  expect(await page.content()).not.toContain(SECRET);

  // Check again (same URL, the stored header), off and on, a role.
  await row.getByRole("button", { name: "Check again" }).click();
  await expect(row.getByRole("status")).toHaveText("Checked: 2 tool(s) listed.");
  await row.getByRole("button", { name: "Disable" }).click();
  await expect(row.getByTestId("mcp-server-enabled")).toHaveText("Disabled");
  await row.getByRole("button", { name: "Enable" }).click();
  await expect(row.getByTestId("mcp-server-enabled")).toHaveText("Enabled");
  await expect(row.getByTestId("mcp-server-roles")).toHaveText(/^Builders/);
  await row.getByRole("button", { name: "Edit roles" }).click();
  const roles = row.getByRole("form", { name: "Allowed roles of tester" });
  await roles.getByLabel("Developer", { exact: true }).check();
  await roles.getByLabel("QA engineer", { exact: true }).check();
  await roles.getByRole("button", { name: "Save roles" }).click();
  await expect(row.getByTestId("mcp-server-roles")).toHaveText("Developer, QA engineer");
  expect(refused, "every request to the MCP server carried the secret header").toBe(0);

  // A rule refusing one MCP tool: the Tools field appears with the MCP action; the preview decides by tool name.
  const policy = page.getByRole("form", { name: "Policy rules" });
  const before = await policy.getByTestId("policy-rule").count();
  await policy.getByRole("button", { name: "Add rule" }).click();
  const rule = policy.getByTestId("policy-rule").nth(before);
  await expect(rule.getByLabel("Tools (globs)")).toHaveCount(0);
  await rule.getByLabel("Rule id").fill("no-issues");
  await rule.getByLabel("Then").selectOption("deny");
  await rule.getByLabel("Deliver", { exact: true }).uncheck();
  await rule.getByLabel("MCP tool call").check();
  await rule.getByLabel("Tools (globs)").fill("mcp__tester__create_issue");
  const preview = page.getByTestId("policy-preview");
  const decision = page.getByTestId("policy-decision");
  await preview.getByLabel("Action").selectOption("mcp_tool");
  await preview.getByLabel("Tool called").fill("mcp__tester__create_issue");
  await expect(decision).toHaveAttribute("data-decision", "deny");
  await expect(decision).toHaveAttribute("data-rule", "no-issues");
  await preview.getByLabel("Tool called").fill("mcp__tester__echo");
  await expect(decision).toHaveAttribute("data-decision", "allow");
  await expect(decision).toHaveAttribute("data-rule", "");
  // Tools with another action as well: the API's rule, on the actions.
  await rule.getByLabel("Deliver", { exact: true }).check();
  await policy.getByRole("button", { name: "Save policy" }).click();
  await expect(rule.getByText('a rule with tools must have actions ["mcp_tool"]')).toBeVisible();
  await rule.getByLabel("Deliver", { exact: true }).uncheck();
  await policy.getByRole("button", { name: "Save policy" }).click();
  await expect(policy.getByText("Policy saved.")).toBeVisible();

  await page.reload();
  const saved = page.getByRole("form", { name: "Policy rules" }).getByTestId("policy-rule").nth(before);
  await expect(saved.getByLabel("Rule id")).toHaveValue("no-issues");
  await expect(saved.getByLabel("Tools (globs)")).toHaveValue("mcp__tester__create_issue");
  await expect(saved.getByLabel("MCP tool call")).toBeChecked();
  const squad = (await (await page.request.get(`/api/v1/squads/${squadId}`)).json()) as { policy: { rules: { id: string; tools?: string[] }[] } };
  expect(squad.policy.rules.find((r) => r.id === "no-issues")).toMatchObject({ effect: "deny", actions: ["mcp_tool"], tools: ["mcp__tester__create_issue"] });
  const reloaded = page.locator('[data-testid="mcp-server"][data-server-name="tester"]');
  await expect(reloaded.getByTestId("mcp-server-tools")).toContainText("create_issue");
  await expect(reloaded.getByTestId("mcp-server-headers")).toHaveText("X-Api-Token (values hidden)");
  await expect(reloaded.getByTestId("mcp-server-roles")).toHaveText("Developer, QA engineer");
  expect(await page.content()).not.toContain(SECRET);
  const listed = await (await page.request.get(`/api/v1/squads/${squadId}/mcp-servers`)).text();
  expect(listed).toContain("X-Api-Token");
  expect(listed).not.toContain(SECRET);
  await testInfo.attach("squad-mcp-servers", { body: await page.screenshot({ fullPage: true }), contentType: "image/png" });
  const axe = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  expect(axe.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.id}: ${v.help}`)).toEqual([]);

  // Delete, after a confirmation.
  await reloaded.getByRole("button", { name: "Delete", exact: true }).click();
  await reloaded.getByRole("alertdialog").getByRole("button", { name: "Delete tester" }).click();
  await expect(page.getByTestId("mcp-no-servers")).toBeVisible();
  await page.reload();
  await expect(page.getByTestId("mcp-no-servers")).toBeVisible();
});
