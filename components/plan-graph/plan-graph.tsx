"use client";

import dagre from "@dagrejs/dagre";
import { Background, Controls, Handle, Position, ReactFlow, type Edge, type Node, type NodeProps } from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import { useEffect, useMemo, useState } from "react";
import type { Subtask, TaskEvent } from "@/components/tasks/api";
import { roleLabel } from "@/components/tasks/format";
import { statusMeta } from "@/components/tasks/status";
import { cn } from "@/components/ui/cn";
import { formatElapsed, subtaskTimings, type SubtaskTiming } from "./subtask-timing";

const NODE_WIDTH = 220;
const NODE_HEIGHT = 78;

// Literal classes per status (Tailwind generates only what it sees), contrast ≥ 4.5:1 on text.
const statusClasses: Record<string, string> = {
  queued: "border-zinc-300 bg-white text-zinc-800",
  running: "border-blue-500 bg-blue-50 text-blue-900",
  testing: "border-violet-500 bg-violet-50 text-violet-900",
  reviewing: "border-violet-500 bg-violet-50 text-violet-900",
  awaiting_approval: "border-amber-500 bg-amber-50 text-amber-900",
  blocked: "border-red-400 bg-red-50 text-red-900",
  completed: "border-green-600 bg-green-50 text-green-900",
  failed: "border-red-600 bg-red-50 text-red-900",
  cancelled: "border-zinc-400 bg-zinc-100 text-zinc-800",
};

type SubtaskNodeData = { subtask: Subtask; number: number; timing?: SubtaskTiming; now: number; selected: boolean; onSelect: (id: string) => void };

function SubtaskNode({ data }: NodeProps<Node<SubtaskNodeData>>) {
  const { subtask, timing, now, selected, onSelect, number } = data;
  const elapsed = timing ? formatElapsed((timing.end ?? now) - timing.start) : null;
  return (
    <>
      <Handle type="target" position={Position.Left} className="!bg-zinc-400" isConnectable={false} />
      <button
        type="button"
        onClick={() => onSelect(subtask.id)}
        aria-pressed={selected}
        aria-label={`Step ${number}: ${subtask.title}, ${roleLabel(subtask.role)}, ${statusMeta(subtask.status).label}${elapsed ? `, ${elapsed}` : ""}. Show its activity only.`}
        className={cn(
          "flex h-full w-full flex-col justify-between rounded-md border-2 px-2.5 py-1.5 text-left text-xs shadow-sm",
          statusClasses[subtask.status] ?? statusClasses.queued,
          selected && "ring-2 ring-zinc-900 ring-offset-1",
          subtask.status === "running" && "animate-pulse",
        )}
        data-testid="plan-node"
        data-subtask-id={subtask.id}
        data-status={subtask.status}
      >
        <span className="line-clamp-2 font-medium">{subtask.title}</span>
        <span className="flex items-center justify-between gap-2">
          <span>{roleLabel(subtask.role)}</span>
          <span className="font-mono" data-testid="plan-node-elapsed">
            {statusMeta(subtask.status).label}
            {elapsed ? ` · ${elapsed}` : ""}
          </span>
        </span>
      </button>
      <Handle type="source" position={Position.Right} className="!bg-zinc-400" isConnectable={false} />
    </>
  );
}

const nodeTypes = { subtask: SubtaskNode };
const ignoreNodeClick = () => undefined;

/** Left-to-right positions of the subtask DAG by dagre (dependencies point right). */
function layout(subtasks: readonly Subtask[]): Map<string, { x: number; y: number }> {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: "LR", nodesep: 24, ranksep: 56 });
  g.setDefaultEdgeLabel(() => ({}));
  const ids = new Set(subtasks.map((s) => s.id));
  for (const s of subtasks) g.setNode(s.id, { width: NODE_WIDTH, height: NODE_HEIGHT });
  for (const s of subtasks) for (const d of s.dependsOn) if (ids.has(d)) g.setEdge(d, s.id);
  dagre.layout(g);
  return new Map(
    subtasks.map((s) => {
      const n = g.node(s.id);
      return [s.id, { x: (n?.x ?? 0) - NODE_WIDTH / 2, y: (n?.y ?? 0) - NODE_HEIGHT / 2 }];
    }),
  );
}

/**
 * The plan as a graph: one node per subtask coloured by its live status with its elapsed time, an
 * edge per dependency. Clicking a node selects it (`onSelect`, again to clear) to filter the timeline.
 */
export function PlanGraph({
  subtasks,
  events,
  selectedId,
  onSelect,
}: {
  subtasks: Subtask[];
  events: readonly TaskEvent[];
  selectedId: string | null;
  onSelect: (id: string | null) => void;
}) {
  const [now, setNow] = useState(() => Date.now());
  const running = subtasks.some((s) => s.status === "running");
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(timer);
  }, [running]);

  const timings = useMemo(() => subtaskTimings(events), [events]);
  const positions = useMemo(() => layout(subtasks), [subtasks]);
  const nodes: Node<SubtaskNodeData>[] = subtasks.map((s, i) => ({
    id: s.id,
    type: "subtask",
    position: positions.get(s.id) ?? { x: 0, y: 0 },
    width: NODE_WIDTH,
    height: NODE_HEIGHT,
    draggable: false,
    selectable: false,
    data: { subtask: s, number: i + 1, timing: timings.get(s.id), now, selected: selectedId === s.id, onSelect: (id) => onSelect(selectedId === id ? null : id) },
  }));
  const ids = new Set(subtasks.map((s) => s.id));
  const edges: Edge[] = subtasks.flatMap((s) =>
    s.dependsOn.filter((d) => ids.has(d)).map((d) => ({ id: `${d}->${s.id}`, source: d, target: s.id, animated: s.status === "running" })),
  );
  const height = Math.min(420, Math.max(160, ...[...positions.values()].map((p) => p.y + NODE_HEIGHT + 40)));
  return (
    <div className="rounded-md border border-zinc-200" style={{ height }} data-testid="plan-graph" role="group" aria-label="Plan graph: subtasks and their dependencies">
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        fitView
        fitViewOptions={{ padding: 0.15 }}
        nodesDraggable={false}
        nodesConnectable={false}
        elementsSelectable={false}
        // React Flow gives nodes pointer events only when something handles them; the node's own
        // button does the selecting (and the keyboard), so this handler only switches them on.
        onNodeClick={ignoreNodeClick}
        proOptions={{ hideAttribution: true }}
        minZoom={0.3}
      >
        <Background gap={16} />
        <Controls showInteractive={false} />
      </ReactFlow>
    </div>
  );
}
