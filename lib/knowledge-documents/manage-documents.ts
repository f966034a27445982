import type { Database, DbOrTx } from "@/db/client";
import {
  deleteKnowledgeDocument,
  insertKnowledgeDocument,
  listKnowledgeDocuments,
  setKnowledgeDocumentIndexState,
  type KnowledgeDocumentRow,
  type KnowledgeDocumentSummary,
} from "@/db/queries/knowledge-documents";
import { findRepository } from "@/db/queries/squads";
import { withTenant } from "@/db/tenant";
import { recordAudit, type AuditActor } from "@/lib/audit/record-audit";
import { AppError, notFound } from "@/lib/errors";
import { deleteBySource, indexChunks } from "@/lib/knowledge";
import { chunkDocument } from "./chunk-document";
import type { CreateDocumentData, KnowledgeDocumentJson } from "./schemas";

/** A document row as the API returns it (no content). */
export function serializeDocument(row: KnowledgeDocumentSummary): KnowledgeDocumentJson {
  return {
    id: row.id,
    title: row.title,
    filename: row.filename,
    format: row.format,
    repositoryId: row.repositoryId,
    sizeBytes: row.sizeBytes,
    chunkCount: row.chunkCount,
    status: row.status,
    indexError: row.indexError,
    createdAt: row.createdAt.toISOString(),
  };
}

/** The organization's documents, newest first. */
export async function listDocumentJson(db: DbOrTx, q: { organizationId: string }): Promise<KnowledgeDocumentJson[]> {
  return (await listKnowledgeDocuments(db, q)).map(serializeDocument);
}

/**
 * Splits a stored document along its headings and puts the chunks into the knowledge index (source
 * `document`, `sourceId` = the document id, path = its file name or title), replacing earlier ones;
 * records the outcome on the row (`indexed` with the chunk count, or `failed` with the index's error).
 * @returns the row as updated
 */
export async function indexDocument(db: Database, doc: KnowledgeDocumentRow): Promise<KnowledgeDocumentRow> {
  const chunks = chunkDocument(doc.content, doc.format, doc.title);
  const scope = { organizationId: doc.organizationId, documentId: doc.id };
  try {
    await indexChunks(db, {
      organizationId: doc.organizationId,
      repositoryId: doc.repositoryId,
      source: "document",
      sourceId: doc.id,
      chunks: chunks.map((c) => ({ path: doc.filename ?? doc.title, startLine: c.startLine, endLine: c.endLine, language: doc.format, text: c.text })),
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    console.warn(`[knowledge] document ${doc.id} was stored but not indexed: ${message}`);
    return (await setKnowledgeDocumentIndexState(db, scope, { status: "failed", chunkCount: 0, indexError: message.slice(0, 1_000) })) ?? doc;
  }
  return (await setKnowledgeDocumentIndexState(db, scope, { status: "indexed", chunkCount: chunks.length, indexError: null })) ?? doc;
}

/**
 * Stores an uploaded document (under row-level security, audited `knowledge_document.created`), then
 * indexes it ({@link indexDocument}). A document the index refuses stays stored with status `failed`.
 * @returns the document as listed (status `indexed` or `failed`)
 * @throws AppError `invalid_input` when `repositoryId` is not a repository of the organization
 */
export async function createDocument(
  db: Database,
  q: { organizationId: string; actor: AuditActor; filename?: string | null },
  input: CreateDocumentData,
): Promise<KnowledgeDocumentJson> {
  const row = await withTenant(db, q.organizationId, async (tx) => {
    if (input.repositoryId) {
      const repository = await findRepository(tx, { organizationId: q.organizationId, repositoryId: input.repositoryId });
      if (!repository) {
        throw new AppError("invalid_input", "Invalid request body: repositoryId: no such repository", {
          issues: [{ path: "repositoryId", message: "no such repository" }],
        });
      }
    }
    const created = await insertKnowledgeDocument(tx, {
      organizationId: q.organizationId,
      repositoryId: input.repositoryId ?? null,
      title: input.title,
      filename: q.filename ?? null,
      format: input.format,
      content: input.content,
      sizeBytes: Buffer.byteLength(input.content),
      createdByUserId: q.actor.userId,
    });
    await recordAudit(tx, {
      organizationId: q.organizationId,
      actor: q.actor,
      action: "knowledge_document.created",
      targetType: "knowledge_document",
      targetId: created.id,
      data: { title: created.title, sizeBytes: created.sizeBytes, format: created.format },
    });
    return created;
  });
  return serializeDocument(await indexDocument(db, row));
}

/**
 * Deletes a document and its chunks from the knowledge index (audited `knowledge_document.deleted`).
 * The chunks go in the same transaction, so an indexed document is never gone while still retrievable
 * (503 `unavailable` when the index cannot remove them); one whose indexing failed is deleted anyway.
 * @throws AppError `not_found` (not a document of the organization), `unavailable` (see above)
 */
export async function deleteDocument(db: Database, q: { organizationId: string; documentId: string; actor: AuditActor }): Promise<void> {
  await withTenant(db, q.organizationId, async (tx) => {
    const row = await deleteKnowledgeDocument(tx, q);
    if (!row) throw notFound("Document");
    try {
      // In a savepoint: a failing statement of the index must not abort the deletion's transaction.
      await tx.transaction((sp) => deleteBySource(sp, { organizationId: q.organizationId, repositoryId: row.repositoryId, source: "document", sourceId: row.id }));
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      // The row is rolled back with the transaction: an indexed document stays listed while its chunks may be retrieved.
      if (row.status === "indexed") throw new AppError("unavailable", `The document's chunks could not be removed from the knowledge index; try again. ${reason}`);
      // A document whose indexing failed has no chunks to leave behind: it goes anyway.
      console.warn(`[knowledge] document ${row.id} (never indexed) deleted; the index could not be cleaned: ${reason}`);
    }
    await recordAudit(tx, {
      organizationId: q.organizationId,
      actor: q.actor,
      action: "knowledge_document.deleted",
      targetType: "knowledge_document",
      targetId: row.id,
      data: { title: row.title },
    });
  });
}
