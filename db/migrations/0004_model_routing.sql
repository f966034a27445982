ALTER TABLE "agents" ADD COLUMN "route_constraints" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "llm_calls" ADD COLUMN "route" jsonb;