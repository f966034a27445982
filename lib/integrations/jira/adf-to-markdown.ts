import type {
  BlockContent,
  Blockquote,
  Heading,
  List,
  ListItem,
  PhrasingContent,
  Root,
  Table,
  TableCell,
  TableRow,
} from "mdast";
import { gfmToMarkdown } from "mdast-util-gfm";
import { toMarkdown } from "mdast-util-to-markdown";
import { z } from "zod";

// Atlassian Document Format (ADF) → Markdown, for the descriptions of Jira issues (REST v3 and
// webhook payloads of sites that send ADF). ADF is a ProseMirror JSON tree; we map it onto an mdast
// tree and let `mdast-util-to-markdown` (+ GFM: tables, strikethrough, task lists) serialise it, so
// escaping and list/quote nesting are the library's job. Node and mark names follow Atlassian's
// "Document structure" reference (developer.atlassian.com/cloud/jira/platform/apis/document/structure/).
//
// No npm package does this well: `adf-to-md` breaks nested lists and logs to the console,
// `mdast-util-from-adf` pins an old `@atlaskit/adf-schema`. What Markdown cannot say is kept as text:
// mentions become `@Name`, status lozenges `[STATUS]`, dates ISO-8601, media `[attachment]`,
// panels block quotes, expands a bold title followed by their content; colours and underline are dropped.

/** One ADF node as Jira sends it (unknown node and mark types are tolerated). */
export type AdfNode = {
  type: string;
  text?: string;
  attrs?: Record<string, unknown>;
  marks?: { type: string; attrs?: Record<string, unknown> }[];
  content?: AdfNode[];
};

const adfNodeSchema: z.ZodType<AdfNode> = z.lazy(() =>
  z.object({
    type: z.string(),
    text: z.string().optional(),
    attrs: z.record(z.string(), z.unknown()).optional(),
    marks: z.array(z.object({ type: z.string(), attrs: z.record(z.string(), z.unknown()).optional() })).optional(),
    content: z.array(adfNodeSchema).optional(),
  }),
);

/** An ADF document: `{ type: "doc", version: 1, content: [...] }`. */
export const adfDocumentSchema = z.object({
  type: z.literal("doc"),
  version: z.number().optional(),
  content: z.array(adfNodeSchema).default([]),
});

/** True when `value` looks like an ADF document (`type: "doc"` with a content array). */
export function isAdfDocument(value: unknown): boolean {
  return adfDocumentSchema.safeParse(value).success;
}

/**
 * Converts an ADF document (a Jira issue's `fields.description` from REST v3) to GitHub-flavoured
 * Markdown.
 * @param doc the document; a string (a plain-text / wiki-markup description, as API v2 and some
 *   webhook payloads carry) is returned trimmed, null/undefined give ""
 * @returns Markdown without a trailing newline
 * @throws Error when `doc` is neither a string, null, nor an ADF document
 */
export function adfToMarkdown(doc: unknown): string {
  if (doc === null || doc === undefined) return "";
  if (typeof doc === "string") return doc.trim();
  const parsed = adfDocumentSchema.safeParse(doc);
  if (!parsed.success) throw new Error("Not an Atlassian Document Format document (expected { type: \"doc\", content: [...] })");
  const root: Root = { type: "root", children: blocks(parsed.data.content) };
  return toMarkdown(root, { extensions: [gfmToMarkdown()], bullet: "-", emphasis: "_", rule: "-" }).trim();
}

const str = (v: unknown): string | undefined => (typeof v === "string" ? v : typeof v === "number" ? String(v) : undefined);

function blocks(nodes: AdfNode[] = []): BlockContent[] {
  return nodes.flatMap(block);
}

function block(node: AdfNode): BlockContent[] {
  const content = node.content ?? [];
  switch (node.type) {
    case "paragraph": {
      const children = inlines(content);
      return children.length ? [{ type: "paragraph", children }] : [];
    }
    case "heading": {
      const level = Math.min(6, Math.max(1, Number(node.attrs?.level) || 1)) as Heading["depth"];
      return [{ type: "heading", depth: level, children: inlines(content) }];
    }
    case "bulletList":
    case "orderedList": {
      const start = Number(node.attrs?.order);
      const list: List = {
        type: "list",
        ordered: node.type === "orderedList",
        ...(node.type === "orderedList" ? { start: Number.isFinite(start) && start > 0 ? start : 1 } : {}),
        spread: false,
        children: content.map((item) => listItem(item, null)),
      };
      return [list];
    }
    case "taskList":
      return [{ type: "list", ordered: false, spread: false, children: content.map((item) => listItem(item, item.attrs?.state === "DONE")) }];
    case "decisionList":
      return [{ type: "list", ordered: false, spread: false, children: content.map((item) => listItem(item, null)) }];
    case "codeBlock":
      return [{ type: "code", lang: str(node.attrs?.language) ?? null, value: content.map((c) => c.text ?? "").join("") }];
    case "blockquote":
    case "panel": {
      const quote: Blockquote = { type: "blockquote", children: blocks(content) };
      return [quote];
    }
    case "rule":
      return [{ type: "thematicBreak" }];
    case "expand":
    case "nestedExpand": {
      const title = str(node.attrs?.title);
      const heading: BlockContent[] = title ? [{ type: "paragraph", children: [{ type: "strong", children: [{ type: "text", value: title }] }] }] : [];
      return [...heading, ...blocks(content)];
    }
    case "table":
      return [table(content)];
    case "mediaSingle":
    case "mediaGroup":
    case "media":
    case "mediaInline":
      return [{ type: "paragraph", children: [{ type: "text", value: "[attachment]" }] }];
    case "blockCard":
    case "embedCard": {
      const url = str(node.attrs?.url);
      return url ? [{ type: "paragraph", children: [{ type: "link", url, children: [{ type: "text", value: url }] }] }] : [];
    }
    default: {
      // An inline node at block level, or a node type this converter does not know: keep its text.
      const children = inlines(node.text !== undefined || !node.content ? [node] : content);
      if (children.length) return [{ type: "paragraph", children }];
      return blocks(content);
    }
  }
}

function listItem(node: AdfNode, checked: boolean | null): ListItem {
  // taskItem / decisionItem hold inline content directly; listItem holds blocks.
  const content = node.content ?? [];
  const inlineOnly = content.every((c) => isInline(c.type));
  const children: BlockContent[] = inlineOnly ? (content.length ? [{ type: "paragraph", children: inlines(content) }] : []) : blocks(content);
  return { type: "listItem", spread: false, checked, children };
}

function table(rows: AdfNode[]): Table {
  const tableRows: TableRow[] = rows
    .filter((r) => r.type === "tableRow")
    .map((r) => ({ type: "tableRow", children: (r.content ?? []).map((cell): TableCell => ({ type: "tableCell", children: cellInlines(cell) })) }));
  // GFM tables need a header row; ADF tables may have none (then the first row serves as one).
  const width = Math.max(1, ...tableRows.map((r) => r.children.length));
  for (const row of tableRows) while (row.children.length < width) row.children.push({ type: "tableCell", children: [] });
  return { type: "table", children: tableRows.length ? tableRows : [{ type: "tableRow", children: [{ type: "tableCell", children: [] }] }] };
}

/** A table cell's paragraphs flattened to one line (GFM cells are single-line). */
function cellInlines(cell: AdfNode): PhrasingContent[] {
  const out: PhrasingContent[] = [];
  for (const child of cell.content ?? []) {
    const phrasing = isInline(child.type) ? inlines([child]) : inlines(child.content ?? []);
    if (!phrasing.length) continue;
    if (out.length) out.push({ type: "text", value: " " });
    out.push(...phrasing);
  }
  return out;
}

const INLINE_TYPES = new Set(["text", "hardBreak", "mention", "emoji", "inlineCard", "date", "status", "placeholder", "mediaInline"]);
function isInline(type: string): boolean {
  return INLINE_TYPES.has(type);
}

function inlines(nodes: AdfNode[]): PhrasingContent[] {
  return nodes.flatMap(inline);
}

function inline(node: AdfNode): PhrasingContent[] {
  switch (node.type) {
    case "text":
      return node.text ? [marked(node.text, node.marks ?? [])] : [];
    case "hardBreak":
      return [{ type: "break" }];
    case "mention": {
      const name = str(node.attrs?.text) ?? str(node.attrs?.id) ?? "someone";
      return [{ type: "text", value: name.startsWith("@") ? name : `@${name}` }];
    }
    case "emoji":
      return [{ type: "text", value: str(node.attrs?.text) ?? str(node.attrs?.shortName) ?? "" }];
    case "inlineCard": {
      const url = str(node.attrs?.url);
      return url ? [{ type: "link", url, children: [{ type: "text", value: url }] }] : [];
    }
    case "date": {
      const ms = Number(node.attrs?.timestamp);
      return Number.isFinite(ms) ? [{ type: "text", value: new Date(ms).toISOString().slice(0, 10) }] : [];
    }
    case "status":
      return [{ type: "text", value: `[${str(node.attrs?.text) ?? ""}]` }];
    case "placeholder":
      return [];
    case "mediaInline":
      return [{ type: "text", value: "[attachment]" }];
    default:
      if (node.text) return [{ type: "text", value: node.text }];
      return inlines(node.content ?? []);
  }
}

/** A text node with its ADF marks applied (code wins over the others: Markdown cannot nest in code). */
function marked(text: string, marks: NonNullable<AdfNode["marks"]>): PhrasingContent {
  if (marks.some((m) => m.type === "code")) {
    const code: PhrasingContent = { type: "inlineCode", value: text };
    const link = marks.find((m) => m.type === "link");
    const href = str(link?.attrs?.href);
    return href ? { type: "link", url: href, children: [code] } : code;
  }
  let node: PhrasingContent = { type: "text", value: text };
  for (const mark of marks) {
    switch (mark.type) {
      case "strong":
        node = { type: "strong", children: [node] };
        break;
      case "em":
        node = { type: "emphasis", children: [node] };
        break;
      case "strike":
        node = { type: "delete", children: [node] };
        break;
      case "link": {
        const href = str(mark.attrs?.href);
        if (href) node = { type: "link", url: href, children: [node] };
        break;
      }
      default:
        // underline, textColor, subsup, backgroundColor: no Markdown equivalent, the text stays.
        break;
    }
  }
  return node;
}

