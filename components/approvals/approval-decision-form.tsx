"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useForm } from "react-hook-form";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field, fieldAria, Textarea } from "@/components/ui/field";
import { Spinner } from "@/components/ui/spinner";
import { ApiError, apiFetch, approvalSchema, type Approval } from "@/components/tasks/api";
import { approvalDecisionSchema, type ApprovalDecision, type ApprovalDecisionInput } from "@/lib/approvals/decision-schema";

/**
 * Approve (optionally with instructions for the squad) or reject (with a reason) a pending approval,
 * with `POST /api/v1/approvals/{id}/decision`. Validates with the server's own schema.
 */
export function ApprovalDecisionForm({ approval, onDecided }: { approval: Approval; onDecided: (approval: Approval) => void }) {
  const {
    register,
    handleSubmit,
    setValue,
    setError,
    watch,
    formState: { errors, isSubmitting },
  } = useForm<ApprovalDecisionInput, unknown, ApprovalDecision>({
    resolver: zodResolver(approvalDecisionSchema),
    defaultValues: { decision: "approve", comment: "" },
  });
  const decision = watch("decision");
  const commentId = `approval-${approval.id}-comment`;

  const onSubmit = handleSubmit(async (values) => {
    try {
      const decided = await apiFetch(`/api/v1/approvals/${encodeURIComponent(approval.id)}/decision`, approvalSchema, {
        method: "POST",
        body: JSON.stringify(values),
      });
      onDecided(decided);
    } catch (error) {
      if (error instanceof ApiError && error.status === 409) {
        setError("root", { message: `${error.message} Refreshing…` });
        onDecided(approval);
        return;
      }
      setError("root", { message: error instanceof Error ? error.message : "Couldn't send the decision. Try again." });
    }
  });

  return (
    <form onSubmit={onSubmit} noValidate className="space-y-3" aria-label={`Decide: ${approval.reason}`}>
      {errors.root?.message ? <Alert>{errors.root.message}</Alert> : null}
      <Field
        id={commentId}
        label="Comment"
        error={errors.comment?.message}
        hint="Optional. When approving: instructions the squad follows from here on. When rejecting: the reason."
      >
        <Textarea rows={2} {...fieldAria(commentId, errors.comment?.message, true)} {...register("comment")} />
      </Field>
      <div className="flex flex-wrap justify-end gap-2">
        <Button
          type="submit"
          variant="secondary"
          disabled={isSubmitting}
          onClick={() => setValue("decision", "reject")}
          data-testid="approval-reject"
        >
          {isSubmitting && decision === "reject" ? <Spinner /> : null}
          Reject
        </Button>
        <Button type="submit" disabled={isSubmitting} onClick={() => setValue("decision", "approve")} data-testid="approval-approve">
          {isSubmitting && decision === "approve" ? <Spinner /> : null}
          Approve
        </Button>
      </div>
    </form>
  );
}
