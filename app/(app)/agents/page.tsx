import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { z } from "zod";
import { getPageContext } from "@/app/_lib/page-context";
import { formatUsdMicros } from "@/components/tasks/money";
import { roleLabel } from "@/components/tasks/format";
import { TaskStatusBadge } from "@/components/tasks/task-status-badge";
import { Card, CardHeader } from "@/components/ui/card";
import { getDb } from "@/db/client";
import { withTenant } from "@/db/tenant";
import { agentActivity } from "@/db/queries/usage-insights";

export const metadata: Metadata = { title: "Agents" };
export const dynamic = "force-dynamic";

/** Runs and spend of the last this many days (ms). */
const WINDOW_MS = 30 * 86_400_000;

const routeSchema = z.array(z.object({ provider: z.string(), model: z.string().optional() }).loose()).catch([]);

export default async function AgentsPage() {
  const ctx = await getPageContext();
  if (!ctx) redirect("/sign-in?next=/agents");
  const agents = await withTenant(getDb(), ctx.organizationId, (tx) =>
    agentActivity(tx, { organizationId: ctx.organizationId, since: new Date(Date.now() - WINDOW_MS), recent: 5 }),
  );
  const squads = [...new Map(agents.map((a) => [a.squadId, a.squadName]))];
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Agents</h1>
        <p className="mt-1 text-sm text-zinc-600">Each agent of each squad: its role, model route, recent runs, success rate and spend over the last 30 days.</p>
      </div>
      {squads.map(([squadId, squadName]) => (
        <Card key={squadId} aria-labelledby={`squad-${squadId}`}>
          <CardHeader headingId={`squad-${squadId}`} title={squadName} />
          <div className="overflow-x-auto">
            <table className="w-full text-left text-sm" data-testid="agents-table">
              <thead className="border-b border-zinc-200 text-xs text-zinc-700">
                <tr>
                  <th scope="col" className="px-4 py-2 font-medium">Role</th>
                  <th scope="col" className="px-4 py-2 font-medium">Model route</th>
                  <th scope="col" className="px-4 py-2 font-medium">Runs</th>
                  <th scope="col" className="px-4 py-2 font-medium">Success rate</th>
                  <th scope="col" className="px-4 py-2 font-medium">Spend</th>
                  <th scope="col" className="px-4 py-2 font-medium">Recent runs</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-zinc-200">
                {agents
                  .filter((a) => a.squadId === squadId)
                  .map((a) => {
                    const route = routeSchema.parse(a.modelRoute);
                    const ended = a.completed + a.failed;
                    return (
                      <tr key={a.agentId} data-testid="agent-row" data-role={a.role}>
                        <th scope="row" className="px-4 py-2 font-medium text-zinc-900">
                          {roleLabel(a.role)}
                          <span className="block text-xs font-normal text-zinc-600">{a.name}</span>
                        </th>
                        <td className="px-4 py-2 font-mono text-xs text-zinc-800">
                          {route.length > 0 ? route.map((c) => `${c.provider}${c.model ? `/${c.model}` : ""}`).join(" → ") : "default provider"}
                        </td>
                        <td className="px-4 py-2 text-zinc-800">{a.runs}</td>
                        <td className="px-4 py-2 text-zinc-800" data-testid="agent-success-rate">
                          {ended > 0 ? `${Math.round((a.completed / ended) * 100)}%` : "—"}
                        </td>
                        <td className="px-4 py-2 text-zinc-800">{formatUsdMicros(a.costUsdMicros)}</td>
                        <td className="px-4 py-2">
                          <ul className="space-y-1">
                            {a.recentRuns.map((r) => (
                              <li key={r.id} className="flex items-center gap-2">
                                <TaskStatusBadge status={r.status} />
                                <Link href={`/tasks/${r.parentTaskId}`} className="truncate text-xs text-zinc-800 underline hover:text-zinc-950">
                                  {r.title}
                                </Link>
                              </li>
                            ))}
                            {a.recentRuns.length === 0 ? <li className="text-xs text-zinc-600">No runs yet</li> : null}
                          </ul>
                        </td>
                      </tr>
                    );
                  })}
              </tbody>
            </table>
          </div>
        </Card>
      ))}
    </div>
  );
}
