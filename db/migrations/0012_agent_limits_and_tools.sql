ALTER TABLE "agents" ADD COLUMN "tool_overrides" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "agents" ADD COLUMN "max_turns" integer;--> statement-breakpoint
ALTER TABLE "agents" ADD COLUMN "max_run_tokens" integer;