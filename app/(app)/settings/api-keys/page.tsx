import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { getPageContext } from "@/app/_lib/page-context";
import { ApiKeysManager, ApiKeysNotAllowed } from "@/components/api-keys/api-keys-manager";
import { allows } from "@/lib/auth/permissions";

export const metadata: Metadata = { title: "API keys" };

export default async function ApiKeysPage() {
  const ctx = await getPageContext();
  if (!ctx) redirect("/sign-in?next=/settings/api-keys");
  // The API checks every call again; a 403 there (e.g. a role changed meanwhile) shows the same notice.
  if (!allows(ctx.permissions, { apiKey: ["read"] })) return <ApiKeysNotAllowed role={ctx.role} />;
  return <ApiKeysManager key={ctx.organizationId} role={ctx.role} />;
}
