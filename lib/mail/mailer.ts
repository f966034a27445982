/** One message Squadron sends (today: invitations). */
export type MailMessage = {
  /** The organization the message is about; its outbox row belongs to it. */
  organizationId: string;
  to: string;
  subject: string;
  /** Plain-text body (the link included). */
  text: string;
  /** The one link the message carries (e.g. the invitation's accept page), shown on the outbox page. */
  link: string | null;
};

/**
 * Sends mail. Implementations: the outbox mailer (embedded default: stores the message, logs the
 * link) and the SMTP mailer (`SMTP_URL`). Both record every message in `mail_outbox`.
 */
export interface Mailer {
  /** Which transport this is (`outbox`, `smtp`), as recorded in `mail_outbox.transport`. */
  readonly transport: string;
  /**
   * Sends `message`.
   * @throws when the transport refuses it (SMTP errors); the row is recorded only after delivery
   */
  send(message: MailMessage): Promise<void>;
}
