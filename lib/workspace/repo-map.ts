/**
 * The repository map put in an agent's brief, so a model starts where the code is: a bounded file
 * tree, then the top-level symbols (functions, classes, types, constants, with their 1-based line) of
 * the files that matter most for the task — the `focusPaths` first, then the shallowest source files.
 *
 * Symbols come from tree-sitter (`web-tree-sitter` with the grammars of `tree-sitter-wasms`) when the
 * grammar of the file's language loads, and otherwise from a line-based fallback: a line at column 0
 * that starts a declaration (`function`, `class`, `def`, `fn`, `func`, `type`, `interface`, `const x =`,
 * optionally after `export` / `pub` / `async`) is a top-level symbol. The fallback is language-agnostic
 * and good enough for top-level names; it misses declarations that are indented or span odd layouts.
 * `web-tree-sitter` is pinned at 0.22.6, the last line that loads the `tree-sitter-wasms@0.1.13`
 * grammars (see `./tree-sitter.ts`). The map says which extractor ran.
 */
import { readFile as readRaw, stat } from "node:fs/promises";
import path from "node:path";
import { listFiles } from "./files";
import { resolveInside } from "./paths";
import { GRAMMARS, withSyntaxTree, type TsNode } from "./tree-sitter";

export type RepositoryMapOptions = {
  /** Repository-relative files the task touches; their symbols come first. Missing ones are skipped. */
  focusPaths?: readonly string[];
  /**
   * Text of the task (title, description): files whose path, or whose file name with an extension,
   * appears in it become focus files too (after `focusPaths`).
   */
  focusText?: string;
  /** Most paths listed in the tree (default {@link DEFAULT_MAP_MAX_FILES}). */
  maxFiles?: number;
  /** Most characters of the whole map (default {@link DEFAULT_MAP_MAX_CHARS} ≈ 1.5k tokens). */
  maxChars?: number;
};

/**
 * The heading a brief puts before the map (`repositoryMapBlock` in `lib/agents/prompts.ts`). Everything
 * from it on is the map, so the offline model matches its scripts on the brief before it.
 */
export const REPOSITORY_MAP_HEADING = "Repository map (files, then top-level symbols with the line read_file starts at):";

/** Files named in `text`: by their repository path, or by a file name with an extension (`app.js`). */
export function pathsMentioned(text: string, files: readonly string[]): string[] {
  return files.filter((f) => {
    if (text.includes(f)) return true;
    const base = path.posix.basename(f);
    return base.includes(".") && new RegExp(`(^|[^\\w./-])${base.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}($|[^\\w-])`).test(text);
  });
}

/** Default number of paths in the tree. */
export const DEFAULT_MAP_MAX_FILES = 200;
/** Default size of the map, in characters. */
export const DEFAULT_MAP_MAX_CHARS = 6_000;
/** Files whose symbols are listed (focus files first). */
const MAX_SYMBOL_FILES = 20;
/** Symbols listed per file. */
const MAX_SYMBOLS_PER_FILE = 30;
/** Larger files are not parsed for symbols (bytes). */
const MAX_SYMBOL_FILE_BYTES = 512 * 1024;
/** A symbol's signature line is cut to this many characters. */
const MAX_SIGNATURE_CHARS = 120;

/** Extensions whose symbols are listed (the grammar ones plus a few the fallback reads well). */
const SOURCE_EXTENSIONS = new Set([...Object.keys(GRAMMARS), ".kt", ".swift", ".scala", ".ex", ".exs", ".lua", ".sh"]);

export type RepoSymbol = { line: number; signature: string };

/** One line of a symbol: the declaration's first line, trimmed and cut. */
function signatureOf(line: string): string {
  const s = line.trim().replace(/\s*\{\s*$/, "");
  return s.length > MAX_SIGNATURE_CHARS ? `${s.slice(0, MAX_SIGNATURE_CHARS)} …` : s;
}

const DECLARATION =
  /^(?:export\s+(?:default\s+)?|pub(?:\([^)]*\))?\s+|public\s+|private\s+|protected\s+)?(?:declare\s+)?(?:abstract\s+)?(?:async\s+)?(?:static\s+)?(?:function\*?|class|interface|type|enum|const|let|var|def|fn|func|struct|trait|impl|module|object|namespace)\b\s*[A-Za-z_$(<]/;
/** `module.exports = …`, `exports.x = …` (CommonJS). */
const COMMONJS_EXPORT = /^(?:module\.exports|exports\.[A-Za-z_$][\w$]*)\s*=/;

/** The line-based fallback: declarations starting at column 0 (see the module comment). */
export function symbolsByLines(content: string): RepoSymbol[] {
  const out: RepoSymbol[] = [];
  const lines = content.split(/\r?\n/);
  for (let i = 0; i < lines.length && out.length < MAX_SYMBOLS_PER_FILE; i++) {
    const line = lines[i]!;
    if (DECLARATION.test(line) || COMMONJS_EXPORT.test(line)) out.push({ line: i + 1, signature: signatureOf(line) });
  }
  return out;
}

// --- tree-sitter ---------------------------------------------------------------------------------

/** Declarations hidden one level down: `export …`, decorators, TS `declare`/ambient wrappers. */
const WRAPPERS = new Set(["export_statement", "decorated_definition", "ambient_declaration"]);
/** Top-level nodes that declare several names (`const a = 1, b = 2`). */
const MULTI = new Set(["lexical_declaration", "variable_declaration", "const_declaration", "var_declaration", "type_declaration"]);

function topLevelSymbols(root: TsNode, lines: readonly string[]): RepoSymbol[] {
  const out: RepoSymbol[] = [];
  const push = (node: TsNode) => {
    if (out.length >= MAX_SYMBOLS_PER_FILE) return;
    const row = node.startPosition.row;
    out.push({ line: row + 1, signature: signatureOf(lines[row] ?? "") });
  };
  for (const child of root.namedChildren) {
    if (!child) continue;
    let node: TsNode = child;
    if (WRAPPERS.has(node.type)) {
      const inner = node.childForFieldName("declaration") ?? node.childForFieldName("definition") ?? node.namedChildren.find((c) => c?.childForFieldName("name"));
      if (!inner) {
        if (node.type === "export_statement") push(child); // export default <expression>, export { a, b }
        continue;
      }
      node = inner;
    }
    if (node.childForFieldName("name")) push(child);
    else if (MULTI.has(node.type) && node.namedChildren.some((c) => c?.childForFieldName("name"))) push(child);
  }
  return out;
}

/** Top-level symbols of one file with tree-sitter; null when its language has no loadable grammar. */
function symbolsByTreeSitter(file: string, content: string): Promise<RepoSymbol[] | null> {
  return withSyntaxTree(file, content, (root) => topLevelSymbols(root, content.split(/\r?\n/)));
}

/** Top-level symbols of `content` (tree-sitter when possible, else the line fallback) and which ran. */
export async function fileSymbols(file: string, content: string): Promise<{ symbols: RepoSymbol[]; via: "tree-sitter" | "lines" }> {
  const parsed = await symbolsByTreeSitter(file, content).catch(() => null);
  return parsed ? { symbols: parsed, via: "tree-sitter" } : { symbols: symbolsByLines(content), via: "lines" };
}

// --- the map -------------------------------------------------------------------------------------

const TEST_PATH = /(^|\/)(tests?|__tests__|spec)\/|\.(test|spec)\.[a-z]+$/;

/**
 * The repository map of `worktree`, as plain text for a prompt: `Files (N):` with up to `maxFiles`
 * paths (focus files and shallow paths first, then `… M more files`), then `Top-level symbols` of up
 * to 20 source files as `path` + `  L<line>: <declaration line>`. Never longer than `maxChars`
 * characters; what is cut is said (`… map cut at N characters`). Reads the worktree only (tracked and
 * untracked, not ignored files). Throws `AppError` (not_found / invalid_input) when `worktree` is not
 * a git worktree; unreadable files are skipped.
 */
export async function buildRepositoryMap(worktree: string, options: RepositoryMapOptions = {}): Promise<string> {
  const maxFiles = Math.max(1, options.maxFiles ?? DEFAULT_MAP_MAX_FILES);
  const maxChars = Math.max(200, options.maxChars ?? DEFAULT_MAP_MAX_CHARS);
  const files = await listFiles(worktree);
  const present = new Set(files);
  const named = (options.focusPaths ?? []).map((p) => p.replaceAll("\\", "/").replace(/^\.\//, ""));
  const mentioned = options.focusText ? pathsMentioned(options.focusText, files) : [];
  const focus = [...new Set([...named, ...mentioned])].filter((p) => present.has(p));
  const depth = (p: string) => p.split("/").length;
  const rest = files.filter((f) => !focus.includes(f)).sort((a, b) => depth(a) - depth(b) || a.localeCompare(b));
  const listed = [...focus, ...rest].slice(0, maxFiles).sort((a, b) => a.localeCompare(b));

  const parts: string[] = [`Files (${files.length}):`, ...listed.map((f) => `  ${f}`)];
  if (files.length > listed.length) parts.push(`  … ${files.length - listed.length} more files (list_files shows them)`);

  const candidates = [
    ...focus,
    ...rest.filter((f) => SOURCE_EXTENSIONS.has(path.extname(f).toLowerCase()) && !TEST_PATH.test(f)),
  ].slice(0, MAX_SYMBOL_FILES);
  const symbolBlocks: string[] = [];
  const via = new Set<string>();
  for (const file of candidates) {
    try {
      const full = await resolveInside(worktree, file);
      const info = await stat(full);
      if (!info.isFile() || info.size > MAX_SYMBOL_FILE_BYTES) continue;
      const content = await readRaw(full, "utf8");
      const { symbols, via: used } = await fileSymbols(file, content);
      via.add(used);
      if (symbols.length === 0) continue;
      symbolBlocks.push([file, ...symbols.map((s) => `  L${s.line}: ${s.signature}`)].join("\n"));
    } catch {
      // A file that vanished or cannot be read has no symbols in the map.
    }
  }
  if (symbolBlocks.length > 0) parts.push("", `Top-level symbols (${[...via].sort().join(" + ")}; line numbers for read_file):`, ...symbolBlocks);

  let map = parts.join("\n");
  if (map.length > maxChars) {
    const note = `\n… map cut at ${maxChars} characters`;
    const cut = map.lastIndexOf("\n", maxChars - note.length);
    map = map.slice(0, cut > 0 ? cut : maxChars - note.length) + note;
  }
  return map;
}
