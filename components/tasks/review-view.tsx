import { Badge, type BadgeTone } from "@/components/ui/badge";
import { Markdown } from "@/components/markdown";
import type { Artifact } from "./api";

function verdictMeta(verdict: unknown): { label: string; tone: BadgeTone } | null {
  if (typeof verdict !== "string" || !verdict) return null;
  const v = verdict.toLowerCase();
  if (v.startsWith("approve") || v === "lgtm" || v === "pass") return { label: "Approved", tone: "green" };
  if (v.includes("change") || v === "reject" || v === "rejected" || v === "fail") {
    return { label: "Changes requested", tone: "amber" };
  }
  return { label: verdict.replace(/_/g, " "), tone: "zinc" };
}

/** The tech lead's review: verdict and the review text (markdown). */
export function ReviewView({ review }: { review: Artifact }) {
  const verdict = verdictMeta(review.data?.verdict);
  return (
    <div className="space-y-3" data-testid="review">
      {verdict ? (
        <Badge tone={verdict.tone} data-testid="review-verdict">
          {verdict.label}
        </Badge>
      ) : null}
      <Markdown source={review.content} />
    </div>
  );
}
