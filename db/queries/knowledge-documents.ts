import { and, desc, eq } from "drizzle-orm";
import type { DbOrTx } from "../client";
import { knowledgeDocuments, type KnowledgeDocumentStatus } from "../schema";

export type KnowledgeDocumentRow = typeof knowledgeDocuments.$inferSelect;
export type NewKnowledgeDocument = Omit<typeof knowledgeDocuments.$inferInsert, "id" | "createdAt" | "updatedAt">;
/** A document without its content, for lists. */
export type KnowledgeDocumentSummary = Omit<KnowledgeDocumentRow, "content">;

const summaryColumns = {
  id: knowledgeDocuments.id,
  organizationId: knowledgeDocuments.organizationId,
  repositoryId: knowledgeDocuments.repositoryId,
  title: knowledgeDocuments.title,
  filename: knowledgeDocuments.filename,
  format: knowledgeDocuments.format,
  sizeBytes: knowledgeDocuments.sizeBytes,
  chunkCount: knowledgeDocuments.chunkCount,
  status: knowledgeDocuments.status,
  indexError: knowledgeDocuments.indexError,
  createdByUserId: knowledgeDocuments.createdByUserId,
  createdAt: knowledgeDocuments.createdAt,
  updatedAt: knowledgeDocuments.updatedAt,
};

export async function insertKnowledgeDocument(db: DbOrTx, values: NewKnowledgeDocument): Promise<KnowledgeDocumentRow> {
  const [row] = await db.insert(knowledgeDocuments).values(values).returning();
  return row;
}

/** The organization's documents, newest first, without their content. */
export async function listKnowledgeDocuments(db: DbOrTx, q: { organizationId: string }): Promise<KnowledgeDocumentSummary[]> {
  return db
    .select(summaryColumns)
    .from(knowledgeDocuments)
    .where(eq(knowledgeDocuments.organizationId, q.organizationId))
    .orderBy(desc(knowledgeDocuments.createdAt), desc(knowledgeDocuments.id));
}

export async function findKnowledgeDocument(db: DbOrTx, q: { organizationId: string; documentId: string }): Promise<KnowledgeDocumentRow | undefined> {
  const [row] = await db
    .select()
    .from(knowledgeDocuments)
    .where(and(eq(knowledgeDocuments.organizationId, q.organizationId), eq(knowledgeDocuments.id, q.documentId)))
    .limit(1);
  return row;
}

/** Records the outcome of indexing a document. */
export async function setKnowledgeDocumentIndexState(
  db: DbOrTx,
  q: { organizationId: string; documentId: string },
  values: { status: KnowledgeDocumentStatus; chunkCount: number; indexError: string | null },
): Promise<KnowledgeDocumentRow | undefined> {
  const [row] = await db
    .update(knowledgeDocuments)
    .set({ ...values, updatedAt: new Date() })
    .where(and(eq(knowledgeDocuments.organizationId, q.organizationId), eq(knowledgeDocuments.id, q.documentId)))
    .returning();
  return row;
}

/** @returns the deleted row, or undefined when the organization has no such document */
export async function deleteKnowledgeDocument(db: DbOrTx, q: { organizationId: string; documentId: string }): Promise<KnowledgeDocumentRow | undefined> {
  const [row] = await db
    .delete(knowledgeDocuments)
    .where(and(eq(knowledgeDocuments.organizationId, q.organizationId), eq(knowledgeDocuments.id, q.documentId)))
    .returning();
  return row;
}
