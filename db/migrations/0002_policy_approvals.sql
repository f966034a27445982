ALTER TABLE "squads" ADD COLUMN "policy" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "squads" ADD COLUMN "budget_usd_micros" bigint;--> statement-breakpoint
ALTER TABLE "approvals" ADD COLUMN "requested_by" text DEFAULT 'system' NOT NULL;--> statement-breakpoint
ALTER TABLE "approvals" ADD COLUMN "details" jsonb;--> statement-breakpoint
ALTER TABLE "approvals" ADD COLUMN "run_id" text;--> statement-breakpoint
ALTER TABLE "approvals" ADD COLUMN "dedupe_key" text;--> statement-breakpoint
ALTER TABLE "approvals" ADD COLUMN "expires_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "approvals_task_id_idx" ON "approvals" USING btree ("task_id");--> statement-breakpoint
CREATE UNIQUE INDEX "approvals_dedupe_key_uq" ON "approvals" USING btree ("dedupe_key");