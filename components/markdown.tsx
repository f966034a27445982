import type { ReactNode } from "react";
import { Fragment } from "react";

/*
 * A small Markdown renderer for agent output (plans, reviews). It builds React elements from the
 * text, so whatever the model writes stays text: no HTML is parsed and nothing is injected with
 * `dangerouslySetInnerHTML`. Covers what agents write: headings, paragraphs, lists, quotes, fenced
 * code, inline code, bold, italics and http(s) links.
 */

type Block =
  | { kind: "heading"; level: number; text: string }
  | { kind: "paragraph"; text: string }
  | { kind: "list"; ordered: boolean; items: string[] }
  | { kind: "quote"; text: string }
  | { kind: "code"; text: string }
  | { kind: "rule" };

function parseBlocks(source: string): Block[] {
  const lines = source.replace(/\r\n?/g, "\n").split("\n");
  const blocks: Block[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i] ?? "";
    if (/^\s*```/.test(line)) {
      const body: string[] = [];
      i++;
      while (i < lines.length && !/^\s*```/.test(lines[i] ?? "")) body.push(lines[i++] ?? "");
      i++;
      blocks.push({ kind: "code", text: body.join("\n") });
      continue;
    }
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    if (heading) {
      blocks.push({ kind: "heading", level: heading[1]?.length ?? 1, text: heading[2] ?? "" });
      i++;
      continue;
    }
    if (/^\s*([-*_])(\s*\1){2,}\s*$/.test(line)) {
      blocks.push({ kind: "rule" });
      i++;
      continue;
    }
    const listItem = /^\s*(?:([-*+])|(\d+)[.)])\s+(.*)$/;
    const first = listItem.exec(line);
    if (first) {
      const ordered = first[2] !== undefined;
      const items: string[] = [];
      while (i < lines.length) {
        const m = listItem.exec(lines[i] ?? "");
        if (m && (m[2] !== undefined) === ordered) {
          items.push(m[3] ?? "");
          i++;
        } else if (items.length > 0 && /^\s{2,}\S/.test(lines[i] ?? "")) {
          items[items.length - 1] += ` ${(lines[i] ?? "").trim()}`;
          i++;
        } else break;
      }
      blocks.push({ kind: "list", ordered, items });
      continue;
    }
    if (/^\s*>/.test(line)) {
      const body: string[] = [];
      while (i < lines.length && /^\s*>/.test(lines[i] ?? "")) body.push((lines[i++] ?? "").replace(/^\s*>\s?/, ""));
      blocks.push({ kind: "quote", text: body.join(" ") });
      continue;
    }
    if (!line.trim()) {
      i++;
      continue;
    }
    const body: string[] = [];
    while (
      i < lines.length &&
      (lines[i] ?? "").trim() &&
      !/^(#{1,6}\s|\s*```|\s*>|\s*(?:[-*+]|\d+[.)])\s)/.test(lines[i] ?? "")
    ) {
      body.push((lines[i++] ?? "").trim());
    }
    blocks.push({ kind: "paragraph", text: body.join(" ") });
  }
  return blocks;
}

const inlinePattern = /(`[^`]+`)|(\*\*[^*]+\*\*)|(__[^_]+__)|(\*[^*\s][^*]*\*)|(\[[^\]]+\]\([^)\s]+\))/g;

function renderInline(text: string): ReactNode[] {
  const out: ReactNode[] = [];
  let last = 0;
  for (const match of text.matchAll(inlinePattern)) {
    const token = match[0];
    const at = match.index;
    if (at > last) out.push(text.slice(last, at));
    const key = `${at}`;
    if (token.startsWith("`")) {
      out.push(
        <code key={key} className="rounded bg-zinc-100 px-1 py-0.5 font-mono text-[0.85em] text-zinc-800">
          {token.slice(1, -1)}
        </code>,
      );
    } else if (token.startsWith("**") || token.startsWith("__")) {
      out.push(<strong key={key}>{token.slice(2, -2)}</strong>);
    } else if (token.startsWith("*")) {
      out.push(<em key={key}>{token.slice(1, -1)}</em>);
    } else {
      const link = /^\[([^\]]+)\]\(([^)\s]+)\)$/.exec(token);
      const label = link?.[1] ?? token;
      const href = link?.[2] ?? "";
      out.push(
        /^https?:\/\//i.test(href) ? (
          <a
            key={key}
            href={href}
            target="_blank"
            rel="noopener noreferrer nofollow"
            className="font-medium text-indigo-600 underline underline-offset-2"
          >
            {label}
          </a>
        ) : (
          <Fragment key={key}>{label}</Fragment>
        ),
      );
    }
    last = at + token.length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

const headingClass = ["text-base font-semibold", "text-sm font-semibold", "text-sm font-semibold text-zinc-700"];

export function Markdown({ source, className }: { source: string; className?: string }) {
  const blocks = parseBlocks(source);
  return (
    <div className={`space-y-3 text-sm leading-6 text-zinc-800 ${className ?? ""}`}>
      {blocks.map((block, i) => {
        switch (block.kind) {
          case "heading": {
            const cls = headingClass[Math.min(block.level, 3) - 1];
            // Document headings are the page's; agent headings are styled text, not outline entries.
            return (
              <p key={i} className={`${cls} text-zinc-900`}>
                {renderInline(block.text)}
              </p>
            );
          }
          case "paragraph":
            return <p key={i}>{renderInline(block.text)}</p>;
          case "list": {
            const ListTag = block.ordered ? "ol" : "ul";
            return (
              <ListTag key={i} className={`space-y-1 pl-5 ${block.ordered ? "list-decimal" : "list-disc"}`}>
                {block.items.map((item, j) => (
                  <li key={j}>{renderInline(item)}</li>
                ))}
              </ListTag>
            );
          }
          case "quote":
            return (
              <blockquote key={i} className="border-l-2 border-zinc-300 pl-3 text-zinc-600">
                {renderInline(block.text)}
              </blockquote>
            );
          case "code":
            return (
              <pre key={i} className="overflow-x-auto rounded-md bg-zinc-900 p-3 font-mono text-xs leading-5 text-zinc-100">
                {block.text}
              </pre>
            );
          case "rule":
            return <hr key={i} className="border-zinc-200" />;
        }
      })}
    </div>
  );
}
