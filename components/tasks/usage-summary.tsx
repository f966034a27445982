import type { ModelInfo, TaskBudget, Usage } from "./api";
import { formatCount, formatUsdMicros, roleLabel } from "./format";
import { OfflineModelBadge } from "./offline-model-badge";

/** Tokens, calls and cost (USD from micros) of the task's model calls, in total and per role. */
export function UsageSummary({
  usage,
  models,
  budget,
}: {
  usage: Usage | null | undefined;
  models: ModelInfo[];
  budget?: TaskBudget | null;
}) {
  const u = usage ?? { calls: 0, inputTokens: 0, outputTokens: 0, costUsdMicros: 0, byRole: [] };
  const limit = budget?.budgetUsdMicros ?? null;
  const share = limit !== null && limit > 0 ? Math.min(1, u.costUsdMicros / limit) : null;
  return (
    <div className="space-y-4" data-testid="usage">
      {budget && (limit !== null || budget.estimatedUsdMicros !== null) ? (
        <div className="space-y-1.5" data-testid="budget">
          <p className="flex flex-wrap justify-between gap-2 text-xs text-zinc-600">
            <span>
              {limit !== null ? (
                <>
                  {formatUsdMicros(u.costUsdMicros)} of {formatUsdMicros(limit)} budget
                </>
              ) : (
                "No budget"
              )}
            </span>
            {budget.estimatedUsdMicros !== null ? <span>Estimated {formatUsdMicros(budget.estimatedUsdMicros)}</span> : null}
          </p>
          {share !== null ? (
            <div
              className="h-1.5 overflow-hidden rounded-full bg-zinc-100"
              role="meter"
              aria-label="Budget used"
              aria-valuemin={0}
              aria-valuemax={limit ?? 0}
              aria-valuenow={u.costUsdMicros}
            >
              <div
                className={share >= 1 ? "h-full bg-red-500" : share >= 0.8 ? "h-full bg-amber-500" : "h-full bg-emerald-500"}
                style={{ width: `${Math.round(share * 100)}%` }}
              />
            </div>
          ) : null}
        </div>
      ) : null}
      <dl className="grid grid-cols-2 gap-3">
        <div className="rounded-md bg-zinc-50 p-3">
          <dt className="text-xs text-zinc-500">Cost</dt>
          <dd className="mt-0.5 text-lg font-semibold tabular-nums text-zinc-900" data-testid="usage-cost">
            {formatUsdMicros(u.costUsdMicros)}
          </dd>
        </div>
        <div className="rounded-md bg-zinc-50 p-3">
          <dt className="text-xs text-zinc-500">Model calls</dt>
          <dd className="mt-0.5 text-lg font-semibold tabular-nums text-zinc-900">{formatCount(u.calls)}</dd>
        </div>
        <div className="rounded-md bg-zinc-50 p-3">
          <dt className="text-xs text-zinc-500">Input tokens</dt>
          <dd className="mt-0.5 text-sm font-semibold tabular-nums text-zinc-900" data-testid="usage-input-tokens">
            {formatCount(u.inputTokens)}
          </dd>
        </div>
        <div className="rounded-md bg-zinc-50 p-3">
          <dt className="text-xs text-zinc-500">Output tokens</dt>
          <dd className="mt-0.5 text-sm font-semibold tabular-nums text-zinc-900" data-testid="usage-output-tokens">
            {formatCount(u.outputTokens)}
          </dd>
        </div>
      </dl>
      {u.byRole.length > 0 ? (
        <table className="w-full text-left text-xs">
          <caption className="sr-only">Usage by role</caption>
          <thead className="text-zinc-500">
            <tr>
              <th scope="col" className="py-1 font-medium">
                Role
              </th>
              <th scope="col" className="py-1 text-right font-medium">
                Calls
              </th>
              <th scope="col" className="py-1 text-right font-medium">
                Tokens
              </th>
              <th scope="col" className="py-1 text-right font-medium">
                Cost
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-zinc-100 tabular-nums text-zinc-700">
            {u.byRole.map((r) => (
              <tr key={r.role}>
                <th scope="row" className="py-1.5 font-normal">
                  {roleLabel(r.role)}
                </th>
                <td className="py-1.5 text-right">{formatCount(r.calls)}</td>
                <td className="py-1.5 text-right">{formatCount(r.inputTokens + r.outputTokens)}</td>
                <td className="py-1.5 text-right">{formatUsdMicros(r.costUsdMicros)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {models.length > 0 ? (
        <div>
          <p className="mb-1.5 text-xs font-medium text-zinc-500">Models</p>
          <ul className="space-y-1.5">
            {models.map((m) => (
              <li key={`${m.provider}/${m.model}`} className="flex flex-wrap items-center gap-2 text-xs text-zinc-700">
                <span className="font-mono">
                  {m.provider}/{m.model}
                </span>
                {m.offline ? <OfflineModelBadge model={m.model} /> : null}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </div>
  );
}
