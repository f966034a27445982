"use client";

import { useRouter } from "next/navigation";
import { useId, useState } from "react";
import { authErrorMessage } from "@/components/auth/auth-error";
import { Spinner } from "@/components/ui/spinner";
import { authClient } from "@/lib/auth-client";

export type OrganizationOption = { id: string; name: string; role: string };

/**
 * The header's organization picker: makes the chosen organization the session's active one
 * (better-auth `organization.setActive`) and re-renders the current page for it.
 */
export function OrganizationSwitcher({
  organizations,
  activeOrganizationId,
}: {
  organizations: OrganizationOption[];
  activeOrganizationId: string;
}) {
  const router = useRouter();
  const id = useId();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function switchTo(organizationId: string) {
    if (organizationId === activeOrganizationId) return;
    setPending(true);
    setError(null);
    try {
      const { error } = await authClient.organization.setActive({ organizationId });
      if (error) {
        setError(authErrorMessage(error, "Could not switch organization."));
        return;
      }
      router.refresh();
    } catch (e) {
      setError(authErrorMessage(e, "Could not switch organization."));
    } finally {
      setPending(false);
    }
  }

  return (
    <div className="flex min-w-0 items-center gap-2">
      <label htmlFor={id} className="sr-only">
        Organization
      </label>
      <select
        id={id}
        data-testid="organization-switcher"
        className="h-8 max-w-48 truncate rounded-md border-0 bg-white py-1 pl-2 pr-7 text-sm text-zinc-900 shadow-sm ring-1 ring-inset ring-zinc-300 focus:ring-2 focus:ring-indigo-600 focus:outline-none disabled:text-zinc-500"
        value={activeOrganizationId}
        disabled={pending || organizations.length < 2}
        onChange={(e) => void switchTo(e.target.value)}
        title={organizations.length < 2 ? "You belong to one organization" : "Switch organization"}
      >
        {organizations.map((o) => (
          <option key={o.id} value={o.id}>
            {o.name} ({o.role})
          </option>
        ))}
      </select>
      {pending ? <Spinner label="Switching organization" /> : null}
      {error ? (
        <span role="alert" className="text-xs text-red-600">
          {error}
        </span>
      ) : null}
    </div>
  );
}
