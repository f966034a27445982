import { Inngest } from "inngest";

/**
 * The one Inngest client. In the embedded default `INNGEST_DEV` points it at the local executor
 * (`inngest/local`); in production it uses Inngest Cloud or self-hosted Inngest through
 * `INNGEST_EVENT_KEY` / `INNGEST_SIGNING_KEY` (the SDK reads these from the environment).
 */
export const inngest = new Inngest({ id: "squadron" });
