import { defineOutboundWebhooksSuite } from "./outbound-webhooks.suite";

defineOutboundWebhooksSuite("pglite");
