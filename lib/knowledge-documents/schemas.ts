import { z } from "zod";
import { knowledgeDocumentFormats, knowledgeDocumentStatuses } from "@/db/schema/knowledge-constants";

// Client-safe: the upload form validates with these same schemas.

/** Largest document accepted, in bytes of UTF-8 (200 KB: a long style guide or API reference; bigger ones should be split). */
export const MAX_DOCUMENT_BYTES = 200_000;
/** Longest title, in characters. */
export const MAX_DOCUMENT_TITLE_CHARS = 200;
/** File name endings accepted for uploads, and the format each is read as. */
export const DOCUMENT_EXTENSIONS = { ".md": "markdown", ".markdown": "markdown", ".txt": "text" } as const;

/**
 * `POST /api/v1/knowledge/documents` as JSON (and the upload form): a title, the Markdown or plain
 * text, its format (default `markdown`) and optionally the one repository it is about (default: all).
 */
export const createDocumentInputSchema = z.strictObject({
  title: z.string().trim().min(1, "Give the document a title.").max(MAX_DOCUMENT_TITLE_CHARS, `At most ${MAX_DOCUMENT_TITLE_CHARS} characters.`),
  content: z
    .string()
    .refine((s) => s.trim().length > 0, "The document is empty.")
    .refine((s) => new TextEncoder().encode(s).length <= MAX_DOCUMENT_BYTES, `At most ${MAX_DOCUMENT_BYTES} bytes.`),
  format: z.enum(knowledgeDocumentFormats).default("markdown"),
  repositoryId: z.uuid("repositoryId must be a UUID").nullable().optional(),
});
export type CreateDocumentInput = z.input<typeof createDocumentInputSchema>;
export type CreateDocumentData = z.output<typeof createDocumentInputSchema>;

/** A document as the API lists it (without its content). */
export const knowledgeDocumentSchema = z.object({
  id: z.uuid(),
  title: z.string(),
  filename: z.string().nullable(),
  format: z.enum(knowledgeDocumentFormats),
  repositoryId: z.uuid().nullable(),
  sizeBytes: z.number().int().describe("UTF-8 size of the content, in bytes."),
  chunkCount: z.number().int().describe("Sections indexed for retrieval."),
  status: z.enum(knowledgeDocumentStatuses).describe("`indexed` once its chunks are searchable; `failed` with `indexError`."),
  indexError: z.string().nullable(),
  createdAt: z.iso.datetime(),
});
export type KnowledgeDocumentJson = z.infer<typeof knowledgeDocumentSchema>;
