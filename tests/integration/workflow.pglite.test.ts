import { defineWorkflowSuite } from "./workflow.suite";

defineWorkflowSuite("pglite");
