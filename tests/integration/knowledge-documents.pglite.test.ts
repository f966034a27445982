import { defineKnowledgeDocumentsSuite } from "./knowledge-documents.suite";

defineKnowledgeDocumentsSuite("pglite");
