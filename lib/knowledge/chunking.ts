import path from "node:path";
import { chunkDocument } from "@/lib/knowledge-documents/chunk-document";
import { grammarFor, withSyntaxTree } from "@/lib/workspace/tree-sitter";
import type { ChunkInput } from "./types";

type FileChunk = Omit<ChunkInput, "commit" | "blobId">;

/** Lines of one line-window chunk (files without a grammar, and oversized declarations). */
const WINDOW_LINES = 60;
/** Adjacent small declarations are merged into one chunk up to this many lines. */
const MERGE_LINES = 60;
/** A declaration longer than this is cut into windows of {@link WINDOW_LINES}. */
const MAX_DECLARATION_LINES = 150;

const LANGUAGES: Record<string, string> = {
  ".ts": "typescript",
  ".mts": "typescript",
  ".cts": "typescript",
  ".tsx": "tsx",
  ".js": "javascript",
  ".mjs": "javascript",
  ".cjs": "javascript",
  ".jsx": "javascript",
  ".py": "python",
  ".go": "go",
  ".rs": "rust",
  ".rb": "ruby",
  ".java": "java",
  ".php": "php",
  ".md": "markdown",
  ".mdx": "markdown",
  ".markdown": "markdown",
  ".json": "json",
  ".yml": "yaml",
  ".yaml": "yaml",
  ".css": "css",
  ".html": "html",
  ".sh": "shell",
  ".sql": "sql",
  ".toml": "toml",
};

/** The language name a chunk of `file` is labelled with (by extension; `text` when unknown). */
export function languageForPath(file: string): string {
  return LANGUAGES[path.extname(file).toLowerCase()] ?? "text";
}

function windowsOf(lines: string[], from: number, to: number, file: string, language: string): FileChunk[] {
  const out: FileChunk[] = [];
  for (let start = from; start <= to; start += WINDOW_LINES) {
    const end = Math.min(start + WINDOW_LINES - 1, to);
    const text = lines.slice(start - 1, end).join("\n");
    if (text.trim()) out.push({ path: file, startLine: start, endLine: end, language, text });
  }
  return out;
}

/**
 * Splits Markdown along its headings (each section keeps its heading trail; long sections are
 * windowed), with the document chunker the uploads use (`lib/knowledge-documents/chunk-document.ts`).
 */
export function chunkMarkdown(file: string, content: string): FileChunk[] {
  return chunkDocument(content, "markdown", file).map((c) => ({ path: file, startLine: c.startLine, endLine: c.endLine, language: "markdown", text: c.text }));
}

/**
 * Splits a file into chunks along syntax where a tree-sitter grammar loads (one chunk per top-level
 * declaration with the comments above it, small neighbours merged up to 60 lines, declarations over
 * 150 lines cut into 60-line windows), Markdown by headings, else 60-line windows. Lines are 1-based.
 * @returns chunks in file order; none for an empty file
 */
export async function chunkFile(file: string, content: string): Promise<FileChunk[]> {
  const language = languageForPath(file);
  if (language === "markdown") return chunkMarkdown(file, content);
  const lines = content.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  if (lines.length === 0) return [];
  const spans = grammarFor(file)
    ? await withSyntaxTree(file, content, (root) =>
        // Comments are not declarations: a doc comment belongs to the declaration after it (which owns
        // the lines since the previous one), not to the end of the one before.
        root.namedChildren.flatMap((n) => (n && n.type !== "comment" ? [{ start: n.startPosition.row + 1, end: n.endPosition.row + 1 }] : [])),
      ).catch(() => null)
    : null;
  if (!spans || spans.length === 0) return windowsOf(lines, 1, lines.length, file, language);

  // Each declaration owns the lines from the end of the previous one (its comments, blank lines).
  const owned: { start: number; end: number }[] = [];
  let next = 1;
  for (const s of spans) {
    if (s.end < next) continue; // nested in the previous span (should not happen at top level)
    owned.push({ start: next, end: Math.min(s.end, lines.length) });
    next = s.end + 1;
  }
  if (next <= lines.length && owned.length > 0) owned[owned.length - 1]!.end = lines.length;

  const merged: { start: number; end: number }[] = [];
  for (const s of owned) {
    const last = merged[merged.length - 1];
    if (last && s.end - last.start + 1 <= MERGE_LINES) last.end = s.end;
    else merged.push({ ...s });
  }
  return merged.flatMap((s) => {
    if (s.end - s.start + 1 > MAX_DECLARATION_LINES) return windowsOf(lines, s.start, s.end, file, language);
    const text = lines.slice(s.start - 1, s.end).join("\n");
    return text.trim() ? [{ path: file, startLine: s.start, endLine: s.end, language, text }] : [];
  });
}
