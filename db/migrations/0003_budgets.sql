CREATE TABLE "organization_budgets" (
	"organization_id" text PRIMARY KEY NOT NULL,
	"monthly_budget_usd_micros" bigint,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "budget_usd_micros" bigint;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "estimated_cost_usd_micros" bigint;--> statement-breakpoint
ALTER TABLE "organization_budgets" ADD CONSTRAINT "organization_budgets_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organization"("id") ON DELETE cascade ON UPDATE no action;