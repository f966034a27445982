import type { DbOrTx } from "@/db/client";
import { mailOutbox } from "@/db/schema";
import type { MailMessage } from "./mailer";

/** Stores one message in the organization's `mail_outbox` with the transport that handled it. */
export async function recordMail(db: DbOrTx, message: MailMessage, transport: string): Promise<void> {
  await db.insert(mailOutbox).values({
    organizationId: message.organizationId,
    to: message.to,
    subject: message.subject,
    text: message.text,
    link: message.link,
    transport,
  });
}
