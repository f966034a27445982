import { describe, expect, test } from "@jest/globals";
import { adfToMarkdown } from "@/lib/integrations/jira/adf-to-markdown";
import { signJiraPayload, verifyJiraSignature } from "@/lib/integrations/jira/verify-signature";

const text = (t: string, marks?: { type: string; attrs?: Record<string, unknown> }[]) => ({ type: "text", text: t, ...(marks ? { marks } : {}) });
const p = (...content: unknown[]) => ({ type: "paragraph", content });
const doc = (...content: unknown[]) => ({ type: "doc", version: 1, content });

describe("adfToMarkdown", () => {
  test("paragraphs, headings, marks and links", () => {
    const md = adfToMarkdown(
      doc(
        { type: "heading", attrs: { level: 2 }, content: [text("Goal")] },
        p(text("Add a "), text("DELETE", [{ type: "code" }]), text(" endpoint, "), text("soon", [{ type: "strong" }]), text(" and "), text("well", [{ type: "em" }]), text(".")),
        p(text("See "), text("the spec", [{ type: "link", attrs: { href: "https://example.test/spec" } }]), text(" or "), text("old", [{ type: "strike" }])),
      ),
    );
    expect(md).toBe(
      "## Goal\n\nAdd a `DELETE` endpoint, **soon** and _well_.\n\nSee [the spec](https://example.test/spec) or ~~old~~",
    );
  });

  test("nested lists, ordered lists with a start, task lists and code blocks", () => {
    const md = adfToMarkdown(
      doc(
        {
          type: "bulletList",
          content: [
            { type: "listItem", content: [p(text("one")), { type: "bulletList", content: [{ type: "listItem", content: [p(text("one.a"))] }] }] },
            { type: "listItem", content: [p(text("two"))] },
          ],
        },
        { type: "orderedList", attrs: { order: 3 }, content: [{ type: "listItem", content: [p(text("third"))] }, { type: "listItem", content: [p(text("fourth"))] }] },
        {
          type: "taskList",
          attrs: { localId: "t" },
          content: [
            { type: "taskItem", attrs: { localId: "a", state: "DONE" }, content: [text("tests written")] },
            { type: "taskItem", attrs: { localId: "b", state: "TODO" }, content: [text("docs")] },
          ],
        },
        { type: "codeBlock", attrs: { language: "ts" }, content: [text("const a = 1;\nconst b = 2;")] },
      ),
    );
    expect(md).toBe(
      [
        "- one",
        "  - one.a",
        "- two",
        "",
        "3. third",
        "4. fourth",
        "",
        "- [x] tests written",
        "- [ ] docs",
        "",
        "```ts",
        "const a = 1;",
        "const b = 2;",
        "```",
      ].join("\n"),
    );
  });

  test("tables, quotes, panels, rules, mentions, emoji, dates, status and unknown nodes keep their text", () => {
    const md = adfToMarkdown(
      doc(
        {
          type: "table",
          content: [
            { type: "tableRow", content: [{ type: "tableHeader", content: [p(text("Field"))] }, { type: "tableHeader", content: [p(text("Type"))] }] },
            { type: "tableRow", content: [{ type: "tableCell", content: [p(text("due_on"))] }, { type: "tableCell", content: [p(text("date"))] }] },
          ],
        },
        { type: "blockquote", content: [p(text("quoted"))] },
        { type: "panel", attrs: { panelType: "info" }, content: [p(text("note this"))] },
        { type: "rule" },
        p(
          { type: "mention", attrs: { id: "5b10", text: "@Ada Lovelace" } },
          text(" "),
          { type: "emoji", attrs: { shortName: ":smile:", text: "😄" } },
          text(" by "),
          { type: "date", attrs: { timestamp: "1767225600000" } },
          text(" "),
          { type: "status", attrs: { text: "BLOCKED", color: "red" } },
          { type: "hardBreak" },
          { type: "inlineCard", attrs: { url: "https://example.test/x" } },
        ),
        { type: "mediaSingle", content: [{ type: "media", attrs: { id: "m", type: "file" } }] },
        { type: "someFutureNode", content: [p(text("still here"))] },
      ),
    );
    expect(md).toContain("| Field  | Type |\n| ------ | ---- |\n| due_on | date |");
    expect(md).toContain("> quoted");
    expect(md).toContain("> note this");
    expect(md).toContain("---");
    expect(md).toContain("@Ada Lovelace 😄 by 2026-01-01 \\[BLOCKED]\\\n<https://example.test/x>");
    expect(md).toContain("\\[attachment]");
    expect(md).toContain("still here");
  });

  test("escapes Markdown in plain text; strings and empty descriptions pass through", () => {
    expect(adfToMarkdown(doc(p(text("*not bold* and # not a heading"))))).toBe("\\*not bold\\* and # not a heading");
    expect(adfToMarkdown("  h1. wiki markup stays  ")).toBe("h1. wiki markup stays");
    expect(adfToMarkdown(null)).toBe("");
    expect(adfToMarkdown(doc())).toBe("");
    expect(() => adfToMarkdown({ type: "paragraph" })).toThrow(/Atlassian Document Format/);
  });
});

describe("verifyJiraSignature", () => {
  const body = JSON.stringify({ webhookEvent: "jira:issue_created", issue: { key: "PROJ-1" } });
  const secret = "It's a Secret to Everybody";

  test("accepts the signature Jira sends for the exact raw body", () => {
    expect(verifyJiraSignature(body, signJiraPayload(body, secret), secret)).toBe(true);
    // Upper-case hex is the same digest.
    expect(verifyJiraSignature(body, `sha256=${signJiraPayload(body, secret).slice(7).toUpperCase()}`, secret)).toBe(true);
  });

  test("refuses a missing, malformed, wrong-secret or tampered signature", () => {
    expect(verifyJiraSignature(body, null, secret)).toBe(false);
    expect(verifyJiraSignature(body, "", secret)).toBe(false);
    expect(verifyJiraSignature(body, signJiraPayload(body, secret).replace("sha256=", "sha1="), secret)).toBe(false);
    expect(verifyJiraSignature(body, "sha256=abc", secret)).toBe(false);
    expect(verifyJiraSignature(body, signJiraPayload(body, "another secret"), secret)).toBe(false);
    expect(verifyJiraSignature(`${body} `, signJiraPayload(body, secret), secret)).toBe(false);
  });

  test("matches a digest computed independently (RFC 4231-style known value)", () => {
    // HMAC-SHA256(key = "key", "The quick brown fox jumps over the lazy dog")
    expect(signJiraPayload("The quick brown fox jumps over the lazy dog", "key")).toBe(
      "sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8",
    );
  });
});
