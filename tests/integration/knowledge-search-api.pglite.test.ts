import { defineKnowledgeSearchSuite } from "./knowledge-search-api.suite";

defineKnowledgeSearchSuite("pglite");
