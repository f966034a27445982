CREATE TABLE "billing_accounts" (
	"organization_id" text PRIMARY KEY NOT NULL,
	"stripe_customer_id" text,
	"stripe_subscription_id" text,
	"plan" text DEFAULT 'free' NOT NULL,
	"status" text DEFAULT 'none' NOT NULL,
	"current_period_start" timestamp with time zone,
	"current_period_end" timestamp with time zone,
	"cancel_at_period_end" boolean DEFAULT false NOT NULL,
	"past_due_since" timestamp with time zone,
	"grace_ends_at" timestamp with time zone,
	"subscription_event_created" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "billing_meter_reports" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organization_id" text NOT NULL,
	"period_start" timestamp with time zone NOT NULL,
	"identifier" text NOT NULL,
	"value_usd_micros" bigint NOT NULL,
	"cumulative_usd_micros" bigint NOT NULL,
	"stripe_customer_id" text NOT NULL,
	"sent_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "billing_refusals" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organization_id" text NOT NULL,
	"task_id" uuid NOT NULL,
	"code" text NOT NULL,
	"reason" text NOT NULL,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "stripe_events" (
	"id" text PRIMARY KEY NOT NULL,
	"type" text NOT NULL,
	"created" bigint NOT NULL,
	"payload" jsonb NOT NULL,
	"matched_organization_id" text,
	"outcome" text,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"processed_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "billing_accounts" ADD CONSTRAINT "billing_accounts_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organization"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "billing_meter_reports" ADD CONSTRAINT "billing_meter_reports_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organization"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "billing_refusals" ADD CONSTRAINT "billing_refusals_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organization"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "billing_refusals" ADD CONSTRAINT "billing_refusals_task_id_tasks_id_fk" FOREIGN KEY ("task_id") REFERENCES "public"."tasks"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "billing_accounts_stripe_customer_uq" ON "billing_accounts" USING btree ("stripe_customer_id");--> statement-breakpoint
CREATE UNIQUE INDEX "billing_meter_reports_identifier_uq" ON "billing_meter_reports" USING btree ("identifier");--> statement-breakpoint
CREATE INDEX "billing_meter_reports_org_period_idx" ON "billing_meter_reports" USING btree ("organization_id","period_start");--> statement-breakpoint
CREATE UNIQUE INDEX "billing_refusals_task_uq" ON "billing_refusals" USING btree ("task_id");--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE "billing_accounts" TO squadron_tenant;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE "billing_meter_reports" TO squadron_tenant;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE "billing_refusals" TO squadron_tenant;
--> statement-breakpoint
ALTER TABLE "billing_accounts" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "billing_meter_reports" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "billing_refusals" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "billing_accounts" AS PERMISSIVE FOR ALL TO squadron_tenant USING ("organization_id" = current_setting('squadron.organization_id', true)) WITH CHECK ("organization_id" = current_setting('squadron.organization_id', true));
--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "billing_meter_reports" AS PERMISSIVE FOR ALL TO squadron_tenant USING ("organization_id" = current_setting('squadron.organization_id', true)) WITH CHECK ("organization_id" = current_setting('squadron.organization_id', true));
--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "billing_refusals" AS PERMISSIVE FOR ALL TO squadron_tenant USING ("organization_id" = current_setting('squadron.organization_id', true)) WITH CHECK ("organization_id" = current_setting('squadron.organization_id', true));
