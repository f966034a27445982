/**
 * tree-sitter for Squadron's code readers (the repository map, the knowledge index's code chunks):
 * `web-tree-sitter` with the prebuilt grammars of `tree-sitter-wasms@0.1.13`.
 *
 * `web-tree-sitter` is pinned at 0.22.6: the `tree-sitter-wasms@0.1.13` grammars predate the
 * `dylink.0` section that `web-tree-sitter@0.25+` requires and fail to load there (checked on this
 * install); 0.22.6 loads them. Every caller has a line-based fallback for when a grammar cannot load.
 */
import { createRequire } from "node:module";
import path from "node:path";

/** File extension → tree-sitter-wasms grammar name. */
export const GRAMMARS: Readonly<Record<string, string>> = {
  ".js": "javascript",
  ".mjs": "javascript",
  ".cjs": "javascript",
  ".jsx": "javascript",
  ".ts": "typescript",
  ".mts": "typescript",
  ".cts": "typescript",
  ".tsx": "tsx",
  ".py": "python",
  ".go": "go",
  ".rs": "rust",
  ".rb": "ruby",
  ".java": "java",
  ".php": "php",
};

/** The subset of web-tree-sitter's `SyntaxNode` Squadron reads. Rows are 0-based. */
export type TsNode = {
  type: string;
  startPosition: { row: number };
  endPosition: { row: number };
  namedChildren: (TsNode | null)[];
  childForFieldName(name: string): TsNode | null;
};
type TsTree = { rootNode: TsNode; delete(): void };
type TsParser = { setLanguage(l: unknown): unknown; parse(text: string): TsTree | null; delete?(): void };
type TreeSitter = { newParser(): TsParser; load(grammar: string): Promise<unknown | null> };

type ParserModule = {
  init(): Promise<void>;
  new (): TsParser;
  Language: { load(file: string): Promise<unknown> };
};

let treeSitter: Promise<TreeSitter | null> | undefined;

/** Loads web-tree-sitter once; null when it cannot start here. Grammars load lazily, once each (null on failure). */
function loadTreeSitter(): Promise<TreeSitter | null> {
  treeSitter ??= (async () => {
    try {
      const mod = (await import("web-tree-sitter")) as unknown as { default?: ParserModule } & ParserModule;
      const Parser = (mod.default ?? mod) as ParserModule;
      await Parser.init();
      const resolve = createRequire(path.join(process.cwd(), "package.json")).resolve;
      const wasmDir = path.join(path.dirname(resolve("tree-sitter-wasms/package.json")), "out");
      const languages = new Map<string, Promise<unknown | null>>();
      return {
        newParser: () => new Parser(),
        load(grammar: string) {
          if (!languages.has(grammar)) {
            languages.set(grammar, Parser.Language.load(path.join(wasmDir, `tree-sitter-${grammar}.wasm`)).catch(() => null));
          }
          return languages.get(grammar)!;
        },
      };
    } catch {
      return null;
    }
  })();
  return treeSitter;
}

/** The grammar name for `file`'s extension, or undefined when there is none. */
export function grammarFor(file: string): string | undefined {
  return GRAMMARS[path.extname(file).toLowerCase()];
}

/**
 * Parses `content` as the language of `file` and hands the syntax tree's root to `read`; the tree is
 * freed afterwards (web-tree-sitter trees live in WebAssembly memory).
 * @returns what `read` returned, or null when the file's language has no grammar that loads here
 */
export async function withSyntaxTree<T>(file: string, content: string, read: (root: TsNode) => T): Promise<T | null> {
  const grammar = grammarFor(file);
  if (!grammar) return null;
  const ts = await loadTreeSitter();
  const language = ts ? await ts.load(grammar) : null;
  if (!ts || !language) return null;
  const parser = ts.newParser();
  try {
    parser.setLanguage(language);
    const tree = parser.parse(content);
    if (!tree) return null;
    try {
      return read(tree.rootNode);
    } finally {
      tree.delete();
    }
  } finally {
    parser.delete?.();
  }
}
