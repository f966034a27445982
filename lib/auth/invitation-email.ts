import type { OrganizationOptions } from "better-auth/plugins";
import { getMailer } from "@/lib/mail";

/** The page where an invitee sees and accepts invitation `invitationId`. */
export function invitationUrl(appUrl: string, invitationId: string): string {
  return new URL(`/invitations/${encodeURIComponent(invitationId)}`, appUrl).toString();
}

/**
 * The organization plugin's `sendInvitationEmail`: mails the invitee the accept link through the
 * configured mailer (the outbox by default, SMTP with `SMTP_URL`).
 */
export function sendInvitationEmail(appUrl: string): NonNullable<OrganizationOptions["sendInvitationEmail"]> {
  return async ({ id, email, role, organization, inviter }) => {
    const link = invitationUrl(appUrl, id);
    const who = inviter.user.name ? `${inviter.user.name} (${inviter.user.email})` : inviter.user.email;
    await getMailer().send({
      organizationId: organization.id,
      to: email,
      subject: `You are invited to ${organization.name} on Squadron`,
      text: [
        `${who} invited you to join ${organization.name} on Squadron as ${role}.`,
        "",
        `Accept the invitation: ${link}`,
        "",
        "If you did not expect this, ignore this message.",
      ].join("\n"),
      link,
    });
  };
}
