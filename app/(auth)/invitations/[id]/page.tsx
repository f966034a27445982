import type { Metadata } from "next";
import { InvitationView } from "@/components/organizations/invitation-view";

export const metadata: Metadata = { title: "Invitation" };

export default async function InvitationPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <InvitationView invitationId={id} />;
}
