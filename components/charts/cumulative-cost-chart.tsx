"use client";

import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { TaskEvent } from "@/components/tasks/api";
import { formatUsdMicros } from "@/components/tasks/money";

/**
 * A task's cumulative model cost over its run, from the timeline's model-call events (each carries
 * `data.costUsdMicros`, USD micros), so it grows live as the run goes on.
 */
export function CumulativeCostChart({ events }: { events: readonly TaskEvent[] }) {
  let total = 0;
  const points = events.flatMap((e) => {
    const cost = e.data?.costUsdMicros;
    if (typeof cost !== "number" || !Number.isFinite(cost)) return [];
    total += cost;
    return [{ t: new Date(e.createdAt).getTime(), usd: total / 1_000_000 }];
  });
  if (points.length === 0) return null;
  const start = points[0]?.t ?? 0;
  const data = points.map((p) => ({ s: Math.round((p.t - start) / 1000), usd: p.usd }));
  const usd = (v: number) => formatUsdMicros(Math.round(v * 1_000_000));
  return (
    <div className="h-40" data-testid="cumulative-cost-chart" role="img" aria-label={`Cumulative cost over the run: ${formatUsdMicros(total)} after ${data.at(-1)?.s ?? 0} s`}>
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={data} margin={{ top: 8, right: 12, bottom: 0, left: 4 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e4e4e7" />
          <XAxis dataKey="s" type="number" unit=" s" tick={{ fontSize: 11, fill: "#3f3f46" }} />
          <YAxis tickFormatter={usd} tick={{ fontSize: 11, fill: "#3f3f46" }} width={60} />
          <Tooltip formatter={(v) => usd(Number(v))} labelFormatter={(s) => `${String(s)} s into the run`} />
          <Line type="stepAfter" dataKey="usd" name="Cost so far" stroke="#0072B2" strokeWidth={2} dot={false} isAnimationActive={false} />
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}
