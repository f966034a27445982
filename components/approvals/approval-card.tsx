"use client";

import Link from "next/link";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import { LocalTime } from "@/components/local-time";
import { roleLabel } from "@/components/tasks/format";
import type { Approval } from "@/components/tasks/api";
import { ApprovalDecisionForm } from "./approval-decision-form";

const kindLabels: Record<string, string> = {
  plan: "Plan",
  deliver: "Delivery",
  dependency_change: "Dependency change",
  budget: "Budget",
  stuck_loop: "Stuck agent",
};

const statusTones: Record<string, BadgeTone> = { pending: "amber", approved: "green", rejected: "red", expired: "zinc" };

/** Human label of an approval kind (`dependency_change` → "Dependency change"). */
export function approvalKindLabel(kind: string): string {
  return kindLabels[kind] ?? kind.replace(/_/g, " ");
}

/**
 * One approval: what is asked and why, who asked, until when; the decision form while it is pending,
 * otherwise who decided and their comment. `showTask` links to the task (for the approvals page).
 */
export function ApprovalCard({
  approval,
  showTask = false,
  onDecided,
}: {
  approval: Approval;
  showTask?: boolean;
  onDecided: (approval: Approval) => void;
}) {
  const pending = approval.status === "pending";
  return (
    <article
      className="space-y-3 rounded-md border border-amber-200 bg-amber-50/40 p-3 data-[status=approved]:border-zinc-200 data-[status=approved]:bg-white data-[status=expired]:border-zinc-200 data-[status=expired]:bg-white data-[status=rejected]:border-zinc-200 data-[status=rejected]:bg-white"
      data-testid="approval"
      data-status={approval.status}
      aria-label={`${approvalKindLabel(approval.kind)} approval, ${approval.status}`}
    >
      <div className="flex flex-wrap items-center gap-2">
        <Badge tone="indigo">{approvalKindLabel(approval.kind)}</Badge>
        <Badge tone={statusTones[approval.status] ?? "zinc"}>{approval.status}</Badge>
        {showTask ? (
          <Link href={`/tasks/${encodeURIComponent(approval.taskId)}`} className="min-w-0 truncate text-sm font-medium text-indigo-700 hover:underline">
            {approval.taskTitle ?? "Task"}
          </Link>
        ) : null}
      </div>
      <p className="whitespace-pre-wrap break-words text-sm text-zinc-800" data-testid="approval-reason">
        {approval.reason}
      </p>
      <p className="text-xs text-zinc-500">
        Asked by {roleLabel(approval.requestedBy ?? "system")} · <LocalTime iso={approval.createdAt} />
        {pending && approval.expiresAt ? (
          <>
            {" "}
            · expires <LocalTime iso={approval.expiresAt} />
          </>
        ) : null}
      </p>
      {pending ? (
        <ApprovalDecisionForm approval={approval} onDecided={onDecided} />
      ) : approval.status === "expired" ? (
        <p className="text-sm text-zinc-600">Nobody decided in time.</p>
      ) : (
        <p className="text-sm text-zinc-700">
          {approval.status === "approved" ? "Approved" : "Rejected"}
          {approval.decidedBy ? ` by ${approval.decidedBy}` : ""}
          {approval.comment ? `: ${approval.comment}` : ""}
        </p>
      )}
    </article>
  );
}
