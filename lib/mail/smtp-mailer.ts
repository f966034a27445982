import nodemailer from "nodemailer";
import type { DbOrTx } from "@/db/client";
import type { Mailer, MailMessage } from "./mailer";
import { recordMail } from "./record-mail";

/**
 * Delivers through an SMTP server (nodemailer), then records the message in `mail_outbox` with
 * transport `smtp`, so owners can see what was sent.
 * @param smtpUrl nodemailer connection URL, e.g. `smtps://user:pass@smtp.example.com:465`
 * @param from the sender, e.g. `Squadron <no-reply@example.com>`
 */
export function createSmtpMailer(db: DbOrTx, smtpUrl: string, from: string): Mailer {
  const transporter = nodemailer.createTransport(smtpUrl);
  return {
    transport: "smtp",
    async send(message: MailMessage) {
      await transporter.sendMail({ from, to: message.to, subject: message.subject, text: message.text });
      await recordMail(db, message, "smtp");
    },
  };
}
