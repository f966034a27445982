import { getDb } from "@/db/client";
import { env } from "@/lib/env";
import type { Mailer } from "./mailer";
import { createOutboxMailer } from "./outbox-mailer";
import { createSmtpMailer } from "./smtp-mailer";

export type { Mailer, MailMessage } from "./mailer";

/**
 * The process's mailer: SMTP when `SMTP_URL` is set (sender `MAIL_FROM`), else the outbox mailer
 * of the embedded default. Created per call (cheap; nodemailer pools nothing by default).
 */
export function getMailer(): Mailer {
  const db = getDb();
  return env.SMTP_URL ? createSmtpMailer(db, env.SMTP_URL, env.MAIL_FROM) : createOutboxMailer(db);
}
