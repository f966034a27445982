import { defineKnowledgeSearchSuite } from "./knowledge-search-api.suite";

// Runs on the PostgreSQL server at TEST_DATABASE_URL (CI sets it); skipped without one; no pgvector there.
if (process.env.TEST_DATABASE_URL) defineKnowledgeSearchSuite("postgres");
else test.skip("TEST_DATABASE_URL is not set: the PostgreSQL server suite is skipped", () => {});
