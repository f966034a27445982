// Pure constants (no drizzle or server imports), so client forms can validate with the same lists.

export const knowledgeDocumentFormats = ["markdown", "text"] as const;
export type KnowledgeDocumentFormat = (typeof knowledgeDocumentFormats)[number];

/** `pending` until its chunks are in the knowledge index, `indexed` after, `failed` with `indexError`. */
export const knowledgeDocumentStatuses = ["pending", "indexed", "failed"] as const;
export type KnowledgeDocumentStatus = (typeof knowledgeDocumentStatuses)[number];

/**
 * Where a lesson came from:
 * - `approval_rejected`: the reason a person gave when rejecting an approval;
 * - `approval_instructions`: the instructions a person gave when approving;
 * - `review_fix`: a tech lead's review finding (changes requested) that a later run fixed;
 * - `qa_fix`: tests QA found failing that the developer then fixed;
 * - `pr_review`: a pull request review on GitHub that asked for changes (a follow-up run fixed them).
 */
export const lessonSourceKinds = ["approval_rejected", "approval_instructions", "review_fix", "qa_fix", "pr_review"] as const;
export type LessonSourceKind = (typeof lessonSourceKinds)[number];
