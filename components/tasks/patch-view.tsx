"use client";

import { useEffect, useMemo, useState } from "react";
import { Decoration, Diff, Hunk, parseDiff, type FileData, type HunkData } from "react-diff-view";
import "react-diff-view/style/index.css";
import { Button } from "@/components/ui/button";

function parse(text: string): FileData[] | null {
  try {
    const files = parseDiff(text, { nearbySequences: "zip" });
    return files.length > 0 ? files : null;
  } catch {
    return null;
  }
}

function countChanges(file: FileData): { added: number; removed: number } {
  let added = 0;
  let removed = 0;
  for (const hunk of file.hunks) {
    for (const change of hunk.changes) {
      if (change.type === "insert") added++;
      else if (change.type === "delete") removed++;
    }
  }
  return { added, removed };
}

function filePath(file: FileData): string {
  if (file.type === "delete") return file.oldPath;
  if (file.type === "rename" && file.oldPath !== file.newPath) return `${file.oldPath} → ${file.newPath}`;
  return file.newPath || file.oldPath;
}

/** Each hunk under its `@@ -a,b +c,d @@` header line. */
function renderHunks(hunks: HunkData[]) {
  return hunks.flatMap((hunk) => [
    <Decoration key={`decoration-${hunk.content}`}>{hunk.content}</Decoration>,
    <Hunk key={`hunk-${hunk.content}`} hunk={hunk} />,
  ]);
}

/**
 * A unified git diff rendered with react-diff-view (unified or split), with a download link.
 * Text that does not parse as a diff is shown as-is.
 */
export function PatchView({ patch, fileName }: { patch: string; fileName: string }) {
  const files = useMemo(() => parse(patch), [patch]);
  const [viewType, setViewType] = useState<"unified" | "split">("unified");
  const [downloadUrl, setDownloadUrl] = useState<string>();

  useEffect(() => {
    const url = URL.createObjectURL(new Blob([patch], { type: "text/x-diff" }));
    setDownloadUrl(url);
    return () => URL.revokeObjectURL(url);
  }, [patch]);

  return (
    <div className="space-y-3" data-testid="patch">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <p className="text-xs text-zinc-500">
          {files ? `${files.length} file${files.length === 1 ? "" : "s"} changed` : "Raw patch"}
        </p>
        <div className="flex items-center gap-2">
          {files ? (
            <div role="group" aria-label="Diff layout" className="hidden items-center gap-1 sm:flex">
              {(["unified", "split"] as const).map((v) => (
                <Button
                  key={v}
                  size="sm"
                  variant={viewType === v ? "secondary" : "ghost"}
                  aria-pressed={viewType === v}
                  onClick={() => setViewType(v)}
                >
                  {v === "unified" ? "Unified" : "Split"}
                </Button>
              ))}
            </div>
          ) : null}
          {downloadUrl ? (
            <a
              href={downloadUrl}
              download={fileName}
              className="inline-flex h-8 items-center rounded-md px-3 text-sm font-medium text-indigo-600 hover:bg-indigo-50"
            >
              Download .patch
            </a>
          ) : null}
        </div>
      </div>
      {files ? (
        files.map((file) => {
          const { added, removed } = countChanges(file);
          return (
            <div
              key={`${file.oldRevision}-${file.newRevision}-${file.oldPath}-${file.newPath}`}
              className="overflow-hidden rounded-md border border-zinc-200"
              data-testid="patch-file"
            >
              <div className="flex flex-wrap items-center justify-between gap-2 border-b border-zinc-200 bg-zinc-50 px-3 py-2">
                <p className="min-w-0 break-all font-mono text-xs font-medium text-zinc-800">{filePath(file)}</p>
                <p className="shrink-0 font-mono text-xs">
                  <span className="text-emerald-700">+{added}</span>{" "}
                  <span className="text-red-700">−{removed}</span>
                </p>
              </div>
              <div className="diff-view overflow-x-auto">
                {file.isBinary ? (
                  <p className="px-3 py-2 text-xs text-zinc-500">Binary file</p>
                ) : (
                  <Diff viewType={viewType} diffType={file.type} hunks={file.hunks}>
                    {renderHunks}
                  </Diff>
                )}
              </div>
            </div>
          );
        })
      ) : (
        <pre className="max-h-[32rem] overflow-auto rounded-md bg-zinc-900 p-3 font-mono text-xs leading-5 text-zinc-100">
          {patch}
        </pre>
      )}
    </div>
  );
}
