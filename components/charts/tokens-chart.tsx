"use client";

import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

/** Tokens per task (input and output, as the provider counted them). */
export function TokensChart({ tasks }: { tasks: { taskId: string; title: string; inputTokens: number; outputTokens: number }[] }) {
  if (tasks.length === 0) return <p className="py-10 text-center text-sm text-zinc-600">No tasks used a model this month yet.</p>;
  const data = tasks.map((t) => ({ name: t.title.length > 28 ? `${t.title.slice(0, 27)}…` : t.title, input: t.inputTokens, output: t.outputTokens }));
  return (
    <div style={{ height: Math.max(160, data.length * 32 + 60) }} data-testid="tokens-chart" role="img" aria-label={`Tokens per task for ${data.length} tasks`}>
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={data} layout="vertical" margin={{ top: 8, right: 16, bottom: 0, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e4e4e7" />
          <XAxis type="number" tick={{ fontSize: 11, fill: "#3f3f46" }} />
          <YAxis type="category" dataKey="name" width={180} tick={{ fontSize: 11, fill: "#3f3f46" }} />
          <Tooltip />
          <Legend wrapperStyle={{ fontSize: 12 }} />
          <Bar dataKey="input" name="Input tokens" stackId="t" fill="#0072B2" />
          <Bar dataKey="output" name="Output tokens" stackId="t" fill="#E69F00" />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
