"use client";

import { z } from "zod";
import { LessonSourceLink } from "./lessons-panel";

const appliedSchema = z.array(
  z.object({ id: z.string(), statement: z.string(), sourceLabel: z.string(), sourceUrl: z.string().nullable() }),
);

/** The lessons a brief carried (`data.lessonsApplied` of a timeline event), each with a link to where it came from; null when there are none. */
export function LessonsApplied({ data }: { data: Record<string, unknown> }) {
  const parsed = appliedSchema.safeParse(data.lessonsApplied);
  if (!parsed.success || parsed.data.length === 0) return null;
  return (
    <div className="mt-1 rounded-md bg-indigo-50/60 p-2 text-xs" data-testid="lessons-applied">
      <p className="font-medium text-indigo-900">Lessons applied</p>
      <ul className="mt-1 space-y-0.5">
        {parsed.data.map((l) => (
          <li key={l.id} className="text-zinc-800">
            {l.statement} <span className="text-zinc-600">(<LessonSourceLink url={l.sourceUrl} label={l.sourceLabel} />)</span>
          </li>
        ))}
      </ul>
    </div>
  );
}
