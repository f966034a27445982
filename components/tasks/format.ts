import { isAgentRole, roleLabel as agentRoleLabel } from "@/lib/agents/roles/catalog";


/** USD from micros (1 USD = 1,000,000 micros): `$0.00` for zero, up to 4 decimals for small amounts. */
export function formatUsdMicros(micros: number): string {
  const usd = micros / 1_000_000;
  const fractionDigits = usd !== 0 && Math.abs(usd) < 0.01 ? 4 : 2;
  return usd.toLocaleString("en-US", {
    style: "currency",
    currency: "USD",
    minimumFractionDigits: fractionDigits,
    maximumFractionDigits: fractionDigits,
  });
}

export function formatCount(n: number): string {
  return n.toLocaleString("en-US");
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
const timeOnly = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" });

export function formatDateTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dateTime.format(d);
}

export function formatTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : timeOnly.format(d);
}

/** "3s", "2m 5s", "1h 4m" between two ISO instants (or until now). */
export function formatDuration(fromIso: string, toIso?: string | null): string {
  const ms = (toIso ? new Date(toIso).getTime() : Date.now()) - new Date(fromIso).getTime();
  if (!Number.isFinite(ms) || ms < 0) return "";
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  return `${Math.floor(m / 60)}h ${m % 60}m`;
}

// Actors of the timeline that are not agent roles.
const actorLabels: Record<string, string> = { system: "System", user: "You" };

/** Human label of an agent role or event actor (`qa_engineer` → "QA engineer"), from the role catalog. */
export function roleLabel(role: string | null | undefined): string {
  if (!role) return "Unassigned";
  if (isAgentRole(role)) return agentRoleLabel(role);
  return actorLabels[role] ?? role.replace(/_/g, " ").replace(/^\w/, (c) => c.toUpperCase());
}

const sourceLabels: Record<string, string> = { web: "Web", api: "API", cli: "CLI", github: "GitHub", jira: "Jira" };
export function sourceLabel(source: string): string {
  return sourceLabels[source] ?? source;
}

