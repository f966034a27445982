ALTER TABLE "tasks" ADD COLUMN "outcome" text;--> statement-breakpoint
-- Tasks that ended before outcomes existed: derive it as the workflow now stores it.
UPDATE "tasks" t SET "outcome" = CASE
	WHEN t."status" = 'completed' AND EXISTS (
		SELECT 1 FROM "artifacts" a WHERE a."task_id" = t."id" AND a."kind" = 'patch' AND a."content" <> ''
	) THEN 'delivered'
	WHEN t."status" = 'completed' THEN 'no_changes'
	WHEN t."status" = 'failed' THEN 'failed'
	WHEN t."status" = 'cancelled' AND EXISTS (
		SELECT 1 FROM "approvals" p WHERE p."task_id" = t."id" AND p."status" = 'rejected'
	) THEN 'rejected'
	ELSE 'cancelled'
END
WHERE t."parent_task_id" IS NULL AND t."status" IN ('completed', 'failed', 'cancelled') AND t."outcome" IS NULL;
