CREATE TABLE "task_deliveries" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organization_id" text NOT NULL,
	"task_id" uuid NOT NULL,
	"channel" text NOT NULL,
	"status" text NOT NULL,
	"external_id" text,
	"url" text,
	"deliveries" integer DEFAULT 0 NOT NULL,
	"error" text,
	"data" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "github_connections" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organization_id" text NOT NULL,
	"kind" text NOT NULL,
	"app_id" text,
	"private_key_encrypted" text,
	"webhook_secret_encrypted" text,
	"installation_id" bigint,
	"token_encrypted" text,
	"repository_full_name" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "task_deliveries" ADD CONSTRAINT "task_deliveries_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organization"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "task_deliveries" ADD CONSTRAINT "task_deliveries_task_id_tasks_id_fk" FOREIGN KEY ("task_id") REFERENCES "public"."tasks"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "github_connections" ADD CONSTRAINT "github_connections_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organization"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "task_deliveries_task_channel_uq" ON "task_deliveries" USING btree ("task_id","channel");--> statement-breakpoint
CREATE INDEX "task_deliveries_organization_id_idx" ON "task_deliveries" USING btree ("organization_id");--> statement-breakpoint
CREATE INDEX "github_connections_organization_id_idx" ON "github_connections" USING btree ("organization_id");--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE "task_deliveries" TO squadron_tenant;
--> statement-breakpoint
ALTER TABLE "task_deliveries" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "task_deliveries" AS PERMISSIVE FOR ALL TO squadron_tenant USING ("organization_id" = current_setting('squadron.organization_id', true)) WITH CHECK ("organization_id" = current_setting('squadron.organization_id', true));
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE "github_connections" TO squadron_tenant;
--> statement-breakpoint
ALTER TABLE "github_connections" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "github_connections" AS PERMISSIVE FOR ALL TO squadron_tenant USING ("organization_id" = current_setting('squadron.organization_id', true)) WITH CHECK ("organization_id" = current_setting('squadron.organization_id', true));
