"use client";

import { useState } from "react";
import { Bar, CartesianGrid, ComposedChart, Legend, Line, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { formatUsdMicros } from "@/components/tasks/money";

/** One UTC day's spend split by key (a role or `provider/model`), in USD micros. */
export type DailySpend = { day: string; byKey: Record<string, number> };

// Colour-blind-safe palette (Okabe–Ito), in key order.
const palette = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#999999", "#F0E442"];

/**
 * Spend per day as stacked bars split by role or by model, the month's cumulative spend as a line,
 * and the monthly budget as a reference line (when there is one). Amounts are USD micros.
 */
export function SpendChart({ byRole, byModel, monthlyBudgetUsdMicros }: { byRole: DailySpend[]; byModel: DailySpend[]; monthlyBudgetUsdMicros: number | null }) {
  const [split, setSplit] = useState<"role" | "model">("role");
  const days = split === "role" ? byRole : byModel;
  const keys = [...new Set(days.flatMap((d) => Object.keys(d.byKey)))].sort();
  let running = 0;
  const data = days.map((d) => {
    const total = Object.values(d.byKey).reduce((a, b) => a + b, 0);
    running += total;
    return { day: d.day.slice(5), ...Object.fromEntries(keys.map((k) => [k, (d.byKey[k] ?? 0) / 1_000_000])), cumulative: running / 1_000_000 };
  });
  const usd = (v: number) => formatUsdMicros(Math.round(v * 1_000_000));
  return (
    <div>
      <fieldset className="mb-3 flex items-center gap-3 text-sm">
        <legend className="sr-only">Split spend by</legend>
        {(["role", "model"] as const).map((s) => (
          <label key={s} className="flex items-center gap-1.5">
            <input type="radio" name="spend-split" value={s} checked={split === s} onChange={() => setSplit(s)} />
            By {s}
          </label>
        ))}
      </fieldset>
      {data.length === 0 ? (
        <p className="py-10 text-center text-sm text-zinc-600">No model calls this month yet.</p>
      ) : (
        <div className="h-72" data-testid="spend-chart" role="img" aria-label={`Spend per day this month by ${split}, cumulative ${usd(running / 1_000_000)}${monthlyBudgetUsdMicros ? ` of a ${formatUsdMicros(monthlyBudgetUsdMicros)} monthly budget` : ""}`}>
          <ResponsiveContainer width="100%" height="100%">
            <ComposedChart data={data} margin={{ top: 8, right: 16, bottom: 0, left: 8 }}>
              <CartesianGrid strokeDasharray="3 3" stroke="#e4e4e7" />
              <XAxis dataKey="day" tick={{ fontSize: 11, fill: "#3f3f46" }} />
              <YAxis tickFormatter={usd} tick={{ fontSize: 11, fill: "#3f3f46" }} width={64} />
              <Tooltip formatter={(v) => usd(Number(v))} />
              <Legend wrapperStyle={{ fontSize: 12 }} />
              {keys.map((k, i) => (
                <Bar key={k} dataKey={k} stackId="spend" fill={palette[i % palette.length]} name={k} />
              ))}
              <Line type="monotone" dataKey="cumulative" name="Month to date" stroke="#18181b" strokeWidth={2} dot={false} />
              {monthlyBudgetUsdMicros ? <ReferenceLine y={monthlyBudgetUsdMicros / 1_000_000} stroke="#b91c1c" strokeDasharray="6 3" label={{ value: `Budget ${formatUsdMicros(monthlyBudgetUsdMicros)}`, fill: "#b91c1c", fontSize: 11, position: "insideTopRight" }} /> : null}
            </ComposedChart>
          </ResponsiveContainer>
        </div>
      )}
    </div>
  );
}
