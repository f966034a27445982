ALTER TABLE "agents" ADD COLUMN "system_prompt" text;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "plan_key" text;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "output" text;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "attempt" integer DEFAULT 0 NOT NULL;