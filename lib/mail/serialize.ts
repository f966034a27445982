import type { MailOutboxRow } from "@/db/queries/mail-outbox";

/** The public JSON of a recorded message (dates ISO-8601). */
export function serializeMail(m: MailOutboxRow) {
  return {
    id: m.id,
    to: m.to,
    subject: m.subject,
    text: m.text,
    link: m.link,
    transport: m.transport,
    createdAt: m.createdAt.toISOString(),
  };
}
export type MailJson = ReturnType<typeof serializeMail>;
