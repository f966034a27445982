import path from "node:path";
import { parseJsonBody } from "@/lib/api/handler";
import { AppError, fromZodError } from "@/lib/errors";
import { createDocumentInputSchema, DOCUMENT_EXTENSIONS, MAX_DOCUMENT_BYTES, MAX_DOCUMENT_TITLE_CHARS, type CreateDocumentData } from "./schemas";

function isExtension(ext: string): ext is keyof typeof DOCUMENT_EXTENSIONS {
  return Object.hasOwn(DOCUMENT_EXTENSIONS, ext);
}

/**
 * Reads the body of `POST /api/v1/knowledge/documents`: JSON `{ title, content, format?, repositoryId? }`,
 * or `multipart/form-data` with a `file` (`.md`, `.markdown` or `.txt`, UTF-8) and optional `title`
 * (default: the file name without its extension) and `repositoryId` fields.
 * @returns the validated input and the uploaded file's name (null for JSON)
 * @throws AppError `payload_too_large` (a file over {@link MAX_DOCUMENT_BYTES}), `invalid_input`
 *   (field paths: `file`, `title`, `content`, `repositoryId`), `bad_request` (malformed JSON or form)
 */
export async function readDocumentUpload(req: Request): Promise<{ input: CreateDocumentData; filename: string | null }> {
  const type = req.headers.get("content-type") ?? "";
  if (!type.toLowerCase().startsWith("multipart/form-data")) {
    return { input: await parseJsonBody(req, createDocumentInputSchema), filename: null };
  }
  const declared = Number(req.headers.get("content-length") ?? "0");
  // Room for the form's boundaries and other fields on top of the file itself.
  if (declared > MAX_DOCUMENT_BYTES + 16_384) throw new AppError("payload_too_large", `A document may be at most ${MAX_DOCUMENT_BYTES} bytes.`);
  let form: FormData;
  try {
    form = await req.formData();
  } catch {
    throw new AppError("bad_request", "Request body is not a valid multipart form.");
  }
  const file = form.get("file");
  if (!(file instanceof File)) {
    throw new AppError("invalid_input", "Invalid request body: file: attach a .md, .markdown or .txt file", {
      issues: [{ path: "file", message: "attach a .md, .markdown or .txt file" }],
    });
  }
  if (file.size > MAX_DOCUMENT_BYTES) throw new AppError("payload_too_large", `A document may be at most ${MAX_DOCUMENT_BYTES} bytes; ${file.name} has ${file.size}.`);
  const ext = path.extname(file.name).toLowerCase();
  if (!isExtension(ext)) {
    throw new AppError("invalid_input", `Invalid request body: file: ${file.name} is not Markdown or text (.md, .markdown, .txt)`, {
      issues: [{ path: "file", message: "only .md, .markdown and .txt files" }],
    });
  }
  const bytes = new Uint8Array(await file.arrayBuffer());
  let content: string;
  try {
    content = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new AppError("invalid_input", `Invalid request body: file: ${file.name} is not UTF-8 text`, { issues: [{ path: "file", message: "not UTF-8 text" }] });
  }
  const title = form.get("title");
  const repositoryId = form.get("repositoryId");
  const parsed = createDocumentInputSchema.safeParse({
    title: typeof title === "string" && title.trim() ? title : path.basename(file.name, path.extname(file.name)).slice(0, MAX_DOCUMENT_TITLE_CHARS),
    content: content.replace(/^\uFEFF/, ""),
    format: DOCUMENT_EXTENSIONS[ext],
    ...(typeof repositoryId === "string" && repositoryId ? { repositoryId } : {}),
  });
  if (!parsed.success) throw fromZodError(parsed.error);
  return { input: parsed.data, filename: path.basename(file.name).slice(0, 255) };
}
