import ReactMarkdown, { type Components } from "react-markdown";
import rehypeSanitize from "rehype-sanitize";
import remarkGfm from "remark-gfm";
import type { Root } from "mdast";
import { visit } from "unist-util-visit";

/*
 * A task's description as GitHub-flavoured Markdown (tables, task lists, strikethrough, autolinks).
 * Raw HTML in the text is never parsed: {@link remarkHtmlAsText} turns it into literal text, so a user
 * still sees what was written (`<iframe …>` appears as those characters, nothing silently dropped), and
 * rehype-sanitize applies GitHub's own allow-list to what Markdown produces, so a description from a
 * webhook cannot inject markup or `javascript:` links. Links open in a new tab without a referrer.
 */

/** remark plugin: every raw-HTML node (block or inline) becomes a text node with the same characters. */
export function remarkHtmlAsText() {
  return (tree: Root) => {
    visit(tree, "html", (node, index, parent) => {
      if (!parent || index === undefined) return;
      const text = { type: "text" as const, value: node.value };
      // A block of HTML (at the root, in a quote or a list item) becomes a paragraph of its text.
      parent.children[index] = (parent.type === "paragraph" || parent.type === "emphasis" || parent.type === "strong" || parent.type === "link" || parent.type === "delete" || parent.type === "heading" || parent.type === "tableCell"
        ? text
        : { type: "paragraph", children: [text] }) as never;
    });
  };
}

const components: Components = {
  a: ({ href, children }) => (
    <a href={href} target="_blank" rel="noopener noreferrer nofollow" className="font-medium text-indigo-700 underline underline-offset-2">
      {children}
    </a>
  ),
  // The page owns the outline: headings in a description are styled text one level below the task title.
  h1: ({ children }) => <p className="text-base font-semibold text-zinc-900">{children}</p>,
  h2: ({ children }) => <p className="text-sm font-semibold text-zinc-900">{children}</p>,
  h3: ({ children }) => <p className="text-sm font-semibold text-zinc-700">{children}</p>,
  h4: ({ children }) => <p className="text-sm font-semibold text-zinc-700">{children}</p>,
  ul: ({ children, className }) => <ul className={className?.includes("contains-task-list") ? "space-y-1" : "list-disc space-y-1 pl-5"}>{children}</ul>,
  ol: ({ children }) => <ol className="list-decimal space-y-1 pl-5">{children}</ol>,
  blockquote: ({ children }) => <blockquote className="border-l-2 border-zinc-300 pl-3 text-zinc-600">{children}</blockquote>,
  code: ({ children, className }) =>
    className ? (
      <code className={className}>{children}</code>
    ) : (
      <code className="rounded bg-zinc-100 px-1 py-0.5 font-mono text-[0.85em] text-zinc-800">{children}</code>
    ),
  pre: ({ children }) => <pre className="overflow-x-auto rounded-md bg-zinc-900 p-3 font-mono text-xs leading-5 text-zinc-100">{children}</pre>,
  table: ({ children }) => (
    <div className="overflow-x-auto">
      <table className="min-w-full border-collapse text-left text-xs">{children}</table>
    </div>
  ),
  th: ({ children }) => <th className="border border-zinc-200 bg-zinc-50 px-2 py-1 font-semibold">{children}</th>,
  td: ({ children }) => <td className="border border-zinc-200 px-2 py-1">{children}</td>,
  hr: () => <hr className="border-zinc-200" />,
  // Task-list items (`- [x] tests`): read-only checkboxes that say their state to screen readers.
  input: ({ type, checked }) =>
    type === "checkbox" ? <input type="checkbox" checked={Boolean(checked)} disabled readOnly aria-label={checked ? "Done" : "Not done"} className="mr-1.5 align-middle" /> : null,
};

export function TaskDescription({ source, className }: { source: string; className?: string }) {
  return (
    <div className={`max-w-3xl space-y-3 break-words text-sm leading-6 text-zinc-700 ${className ?? ""}`} data-testid="task-description">
      <ReactMarkdown remarkPlugins={[remarkGfm, remarkHtmlAsText]} rehypePlugins={[rehypeSanitize]} components={components}>
        {source}
      </ReactMarkdown>
    </div>
  );
}

/**
 * The web address of a task's source item, from its external ref: `github:owner/name#12` → the
 * GitHub issue. Null for refs without a public address (Jira refs carry a connection id, not a site).
 */
export function sourceUrl(externalRef: string | null | undefined): string | null {
  const github = /^github:([A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+)#(\d+)$/.exec(externalRef ?? "");
  return github ? `https://github.com/${github[1]}/issues/${github[2]}` : null;
}

/** A task's external ref, linked to its source item when it has a web address ({@link sourceUrl}). */
export function SourceRef({ externalRef }: { externalRef: string }) {
  // `jira:<connection id>:PROJ-7`: the key is what people know; the link is the task's Jira delivery.
  const jiraKey = /^jira:[0-9a-f-]{36}:([A-Z][A-Z0-9_]*-\d+)$/.exec(externalRef)?.[1];
  if (jiraKey) return <span data-testid="task-source-jira">{jiraKey}</span>;
  const url = sourceUrl(externalRef);
  return url ? (
    <a href={url} target="_blank" rel="noopener noreferrer" className="underline hover:text-zinc-900" data-testid="task-source-link">
      {externalRef.replace(/^github:/, "")}
    </a>
  ) : (
    <span>{externalRef}</span>
  );
}
