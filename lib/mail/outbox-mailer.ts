import type { DbOrTx } from "@/db/client";
import type { Mailer, MailMessage } from "./mailer";
import { recordMail } from "./record-mail";

/**
 * The embedded default: nothing leaves the machine. Each message is stored in `mail_outbox` (the
 * outbox page at /settings/outbox lists it) and one line with its link goes to the server log, so an
 * operator without SMTP can still pass an invitation on.
 */
export function createOutboxMailer(db: DbOrTx, log: (line: string) => void = console.log): Mailer {
  return {
    transport: "outbox",
    async send(message: MailMessage) {
      await recordMail(db, message, "outbox");
      log(`[mail] outbox: "${message.subject}" to ${message.to}${message.link ? ` — ${message.link}` : ""}`);
    },
  };
}
