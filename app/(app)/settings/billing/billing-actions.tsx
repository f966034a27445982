"use client";

import { useState } from "react";
import { z } from "zod";
import { apiFetch, ApiError } from "@/components/tasks/api";
import { Button } from "@/components/ui/button";

const redirectSchema = z.object({ url: z.url() });

/** Upgrade (Stripe Checkout) and Manage billing (Customer Portal) buttons; errors shown as text. */
export function BillingActions({
  manage,
  offers,
  canUpgrade,
  hasCustomer,
}: {
  manage: boolean;
  offers: { id: string; name: string; monthlyPriceUsdCents: number }[];
  canUpgrade: boolean;
  hasCustomer: boolean;
}) {
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  if (!manage) return null;

  const go = async (what: string, url: string, body: unknown) => {
    setBusy(what);
    setError(null);
    try {
      const { url: target } = await apiFetch(url, redirectSchema, { method: "POST", body: JSON.stringify(body) });
      window.location.assign(target);
    } catch (e) {
      setError(e instanceof ApiError ? e.message : "Something went wrong. Try again.");
      setBusy(null);
    }
  };

  return (
    <div className="flex flex-col items-end gap-2">
      <div className="flex flex-wrap gap-2">
        {canUpgrade
          ? offers.map((p) => (
              <Button key={p.id} size="sm" disabled={busy !== null} onClick={() => go(p.id, "/api/v1/billing/checkout", { plan: p.id })}>
                {busy === p.id ? "Opening Stripe…" : `Upgrade to ${p.name} ($${(p.monthlyPriceUsdCents / 100).toFixed(0)}/mo)`}
              </Button>
            ))
          : null}
        {hasCustomer ? (
          <Button size="sm" variant="secondary" disabled={busy !== null} onClick={() => go("portal", "/api/v1/billing/portal", {})}>
            {busy === "portal" ? "Opening Stripe…" : "Manage billing"}
          </Button>
        ) : null}
      </div>
      {error ? (
        <p role="alert" className="max-w-sm text-right text-xs text-red-700">
          {error}
        </p>
      ) : null}
    </div>
  );
}
