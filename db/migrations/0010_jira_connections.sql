CREATE TABLE "jira_connections" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organization_id" text NOT NULL,
	"site_url" text NOT NULL,
	"account_email" text NOT NULL,
	"api_token_encrypted" text NOT NULL,
	"webhook_secret_encrypted" text NOT NULL,
	"project_keys" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"trigger" jsonb NOT NULL,
	"project_repositories" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"status_mapping" jsonb NOT NULL,
	"sync_subtasks" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "jira_issue_links" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organization_id" text NOT NULL,
	"connection_id" uuid NOT NULL,
	"task_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"issue_key" text NOT NULL,
	"last_status" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "jira_connections" ADD CONSTRAINT "jira_connections_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organization"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "jira_issue_links" ADD CONSTRAINT "jira_issue_links_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organization"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "jira_issue_links" ADD CONSTRAINT "jira_issue_links_connection_id_jira_connections_id_fk" FOREIGN KEY ("connection_id") REFERENCES "public"."jira_connections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "jira_issue_links" ADD CONSTRAINT "jira_issue_links_task_id_tasks_id_fk" FOREIGN KEY ("task_id") REFERENCES "public"."tasks"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "jira_connections_organization_uq" ON "jira_connections" USING btree ("organization_id");--> statement-breakpoint
CREATE UNIQUE INDEX "jira_issue_links_task_uq" ON "jira_issue_links" USING btree ("task_id");--> statement-breakpoint
CREATE INDEX "jira_issue_links_organization_id_idx" ON "jira_issue_links" USING btree ("organization_id");--> statement-breakpoint
-- Row-level security as in 0006_tenant_rls (grant, enable, policy).
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE "jira_connections" TO squadron_tenant;
--> statement-breakpoint
ALTER TABLE "jira_connections" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "jira_connections" AS PERMISSIVE FOR ALL TO squadron_tenant USING ("organization_id" = current_setting('squadron.organization_id', true)) WITH CHECK ("organization_id" = current_setting('squadron.organization_id', true));
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE "jira_issue_links" TO squadron_tenant;
--> statement-breakpoint
ALTER TABLE "jira_issue_links" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "jira_issue_links" AS PERMISSIVE FOR ALL TO squadron_tenant USING ("organization_id" = current_setting('squadron.organization_id', true)) WITH CHECK ("organization_id" = current_setting('squadron.organization_id', true));
