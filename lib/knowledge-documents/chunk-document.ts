import { fromMarkdown } from "mdast-util-from-markdown";
import { toString } from "mdast-util-to-string";
import type { KnowledgeDocumentFormat } from "@/db/schema";

/** One section of a document, lines 1-based and inclusive. `text` starts with the section's heading trail. */
export type DocumentChunk = { startLine: number; endLine: number; heading: string | null; text: string };

/** Headings at or above this depth start a new chunk (`#`, `##`, `###`); deeper ones stay inside their section. */
const SPLIT_DEPTH = 3;
/** A section longer than this many characters is cut into line windows (≈ 1,000 tokens each). */
const MAX_CHUNK_CHARS = 4_000;
/** Plain text: paragraphs are merged into chunks of up to this many characters. */
const TEXT_CHUNK_CHARS = 1_500;

/** Cuts lines `[from, to]` (1-based) into windows of at most {@link MAX_CHUNK_CHARS} characters, never splitting a line. */
function windows(lines: string[], from: number, to: number): { startLine: number; endLine: number; text: string }[] {
  const out: { startLine: number; endLine: number; text: string }[] = [];
  let start = from;
  let buf: string[] = [];
  let size = 0;
  for (let n = from; n <= to; n++) {
    const line = lines[n - 1] ?? "";
    if (buf.length > 0 && size + line.length + 1 > MAX_CHUNK_CHARS) {
      out.push({ startLine: start, endLine: n - 1, text: buf.join("\n") });
      start = n;
      buf = [];
      size = 0;
    }
    buf.push(line.slice(0, MAX_CHUNK_CHARS));
    size += line.length + 1;
  }
  if (buf.length > 0) out.push({ startLine: start, endLine: to, text: buf.join("\n") });
  return out;
}

/**
 * Splits a document for the knowledge index. Markdown is parsed (mdast, so a `#` inside a code fence
 * is no heading) and split at every heading of depth 1–3; each chunk's text begins with its heading
 * trail (`Style guide › Database › Columns`) so a section is found by the words of the headings above
 * it. Plain text is split at blank lines, paragraphs merged up to 1,500 characters. Sections over 4,000 characters are cut into line windows.
 * Blank sections are dropped.
 * @returns chunks in document order, covering every non-blank line once
 */
export function chunkDocument(content: string, format: KnowledgeDocumentFormat, title: string): DocumentChunk[] {
  const lines = content.split(/\r?\n/);
  const sections: { start: number; end: number; trail: string[] }[] = [];
  if (format === "markdown") {
    const tree = fromMarkdown(content);
    const trail: string[] = [];
    let current = { start: 1, trail: [] as string[] };
    for (const node of tree.children) {
      if (node.type !== "heading" || node.depth > SPLIT_DEPTH || !node.position) continue;
      const line = node.position.start.line;
      if (line > current.start) sections.push({ start: current.start, end: line - 1, trail: current.trail });
      trail.length = node.depth - 1;
      trail[node.depth - 1] = toString(node).trim();
      current = { start: line, trail: trail.filter(Boolean) };
    }
    sections.push({ start: current.start, end: lines.length, trail: current.trail });
  } else {
    let start: number | null = null;
    lines.forEach((line, i) => {
      if (line.trim() && start === null) start = i + 1;
      if (!line.trim() && start !== null) {
        sections.push({ start, end: i, trail: [] });
        start = null;
      }
    });
    if (start !== null) sections.push({ start, end: lines.length, trail: [] });
    // Paragraphs are merged up to TEXT_CHUNK_CHARS, so a chunk carries some context.
    for (let i = sections.length - 1; i > 0; i--) {
      const [prev, cur] = [sections[i - 1], sections[i]];
      if (lines.slice(prev.start - 1, cur.end).join("\n").length <= TEXT_CHUNK_CHARS) {
        sections.splice(i - 1, 2, { start: prev.start, end: cur.end, trail: [] });
      }
    }
  }
  const chunks: DocumentChunk[] = [];
  for (const section of sections) {
    const body = lines.slice(section.start - 1, section.end).join("\n");
    if (!body.trim()) continue;
    const heading = section.trail.length > 0 ? section.trail.join(" › ") : null;
    const prefix = [title, ...section.trail].join(" › ");
    for (const w of windows(lines, section.start, section.end)) {
      if (!w.text.trim()) continue;
      chunks.push({ startLine: w.startLine, endLine: w.endLine, heading, text: `${prefix}\n\n${w.text}` });
    }
  }
  return chunks;
}
