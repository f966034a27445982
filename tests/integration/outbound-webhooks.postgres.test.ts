import { defineOutboundWebhooksSuite } from "./outbound-webhooks.suite";

// Runs on the PostgreSQL server at TEST_DATABASE_URL (CI sets it); skipped without one.
if (process.env.TEST_DATABASE_URL) defineOutboundWebhooksSuite("postgres");
else test.skip("TEST_DATABASE_URL is not set: the PostgreSQL server suite is skipped", () => {});
