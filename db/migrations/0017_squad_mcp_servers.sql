CREATE TABLE "squad_mcp_servers" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organization_id" text NOT NULL,
	"squad_id" uuid NOT NULL,
	"name" text NOT NULL,
	"transport" text NOT NULL,
	"url" text,
	"headers_encrypted" text,
	"header_names" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"command" text,
	"args" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"allowed_roles" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"last_error" text,
	"tool_names" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "squad_mcp_servers" ADD CONSTRAINT "squad_mcp_servers_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organization"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "squad_mcp_servers" ADD CONSTRAINT "squad_mcp_servers_squad_id_squads_id_fk" FOREIGN KEY ("squad_id") REFERENCES "public"."squads"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "squad_mcp_servers_organization_idx" ON "squad_mcp_servers" USING btree ("organization_id");--> statement-breakpoint
CREATE UNIQUE INDEX "squad_mcp_servers_squad_name_uq" ON "squad_mcp_servers" USING btree ("squad_id","name");--> statement-breakpoint
-- Row-level security as in 0006_tenant_rls (grant, enable, policy).
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE "squad_mcp_servers" TO squadron_tenant;
--> statement-breakpoint
ALTER TABLE "squad_mcp_servers" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "squad_mcp_servers" AS PERMISSIVE FOR ALL TO squadron_tenant USING ("organization_id" = current_setting('squadron.organization_id', true)) WITH CHECK ("organization_id" = current_setting('squadron.organization_id', true));
