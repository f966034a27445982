-- Row-level security on the domain tables: a second wall behind the tenant-scoped queries in db/queries.
--
-- Tenant code runs inside `withTenant` (db/tenant.ts): a transaction that sets
-- `squadron.organization_id` (set_config(..., true), transaction-local) and `SET LOCAL ROLE squadron_tenant`.
-- As squadron_tenant, every row of these tables is visible and writable only when its organization_id
-- equals that setting; with the setting unset (or empty) a query sees nothing and every write fails.
--
-- Unaffected: the owner connection the app opens (workflows, webhooks ingress, the auth layer, migrations).
-- Superusers bypass RLS, and so does the tables' owner because RLS is ENABLEd, not FORCEd.
--
-- A new table with an organization_id column must get the same three statements (grant, enable, policy).
--
-- squadron_tenant is a cluster-wide NOLOGIN role; several databases of one cluster (test suites,
-- tenants of a shared server) may run this migration at the same time, so creating it and granting it
-- to the migrating user tolerate a concurrent twin (duplicate_object / unique_violation).
DO $$
BEGIN
	BEGIN
		IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'squadron_tenant') THEN
			CREATE ROLE squadron_tenant NOLOGIN;
		END IF;
	EXCEPTION WHEN duplicate_object OR unique_violation THEN
		NULL;
	END;
	-- The app's user must be able to SET ROLE squadron_tenant (implicit for a superuser; needed otherwise).
	IF NOT pg_catalog.pg_has_role(current_user, 'squadron_tenant', 'MEMBER') THEN
		BEGIN
			EXECUTE format('GRANT squadron_tenant TO %I', current_user);
		EXCEPTION WHEN duplicate_object OR unique_violation THEN
			NULL;
		END;
	END IF;
END
$$;
--> statement-breakpoint
GRANT USAGE ON SCHEMA public TO squadron_tenant;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE "squads" TO squadron_tenant;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE "agents" TO squadron_tenant;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE "repositories" TO squadron_tenant;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE "tasks" TO squadron_tenant;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE "task_dependencies" TO squadron_tenant;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE "task_events" TO squadron_tenant;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE "artifacts" TO squadron_tenant;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE "approvals" TO squadron_tenant;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE "llm_calls" TO squadron_tenant;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE "organization_budgets" TO squadron_tenant;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE "webhook_deliveries" TO squadron_tenant;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE "audit_events" TO squadron_tenant;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE "mail_outbox" TO squadron_tenant;
--> statement-breakpoint
GRANT USAGE ON SEQUENCE "audit_events_id_seq", "task_events_id_seq" TO squadron_tenant;
--> statement-breakpoint
ALTER TABLE "squads" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "agents" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "repositories" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "tasks" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "task_dependencies" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "task_events" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "artifacts" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "approvals" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "llm_calls" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "organization_budgets" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "audit_events" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "mail_outbox" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "squads" AS PERMISSIVE FOR ALL TO squadron_tenant USING ("organization_id" = current_setting('squadron.organization_id', true)) WITH CHECK ("organization_id" = current_setting('squadron.organization_id', true));
--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "agents" AS PERMISSIVE FOR ALL TO squadron_tenant USING ("organization_id" = current_setting('squadron.organization_id', true)) WITH CHECK ("organization_id" = current_setting('squadron.organization_id', true));
--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "repositories" AS PERMISSIVE FOR ALL TO squadron_tenant USING ("organization_id" = current_setting('squadron.organization_id', true)) WITH CHECK ("organization_id" = current_setting('squadron.organization_id', true));
--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "tasks" AS PERMISSIVE FOR ALL TO squadron_tenant USING ("organization_id" = current_setting('squadron.organization_id', true)) WITH CHECK ("organization_id" = current_setting('squadron.organization_id', true));
--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "task_dependencies" AS PERMISSIVE FOR ALL TO squadron_tenant USING ("organization_id" = current_setting('squadron.organization_id', true)) WITH CHECK ("organization_id" = current_setting('squadron.organization_id', true));
--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "task_events" AS PERMISSIVE FOR ALL TO squadron_tenant USING ("organization_id" = current_setting('squadron.organization_id', true)) WITH CHECK ("organization_id" = current_setting('squadron.organization_id', true));
--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "artifacts" AS PERMISSIVE FOR ALL TO squadron_tenant USING ("organization_id" = current_setting('squadron.organization_id', true)) WITH CHECK ("organization_id" = current_setting('squadron.organization_id', true));
--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "approvals" AS PERMISSIVE FOR ALL TO squadron_tenant USING ("organization_id" = current_setting('squadron.organization_id', true)) WITH CHECK ("organization_id" = current_setting('squadron.organization_id', true));
--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "llm_calls" AS PERMISSIVE FOR ALL TO squadron_tenant USING ("organization_id" = current_setting('squadron.organization_id', true)) WITH CHECK ("organization_id" = current_setting('squadron.organization_id', true));
--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "organization_budgets" AS PERMISSIVE FOR ALL TO squadron_tenant USING ("organization_id" = current_setting('squadron.organization_id', true)) WITH CHECK ("organization_id" = current_setting('squadron.organization_id', true));
--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "webhook_deliveries" AS PERMISSIVE FOR ALL TO squadron_tenant USING ("organization_id" = current_setting('squadron.organization_id', true)) WITH CHECK ("organization_id" = current_setting('squadron.organization_id', true));
--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "audit_events" AS PERMISSIVE FOR ALL TO squadron_tenant USING ("organization_id" = current_setting('squadron.organization_id', true)) WITH CHECK ("organization_id" = current_setting('squadron.organization_id', true));
--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "mail_outbox" AS PERMISSIVE FOR ALL TO squadron_tenant USING ("organization_id" = current_setting('squadron.organization_id', true)) WITH CHECK ("organization_id" = current_setting('squadron.organization_id', true));
--> statement-breakpoint
-- better-auth's tables: read-only for tenant code (names of members and of the organization in
-- tenant-scoped reads); every write stays with better-auth on the owner connection.
GRANT SELECT ON TABLE "organization", "member", "user" TO squadron_tenant;
--> statement-breakpoint
ALTER TABLE "organization" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "member" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "user" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "organization" AS PERMISSIVE FOR SELECT TO squadron_tenant USING ("id" = current_setting('squadron.organization_id', true));
--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "member" AS PERMISSIVE FOR SELECT TO squadron_tenant USING ("organization_id" = current_setting('squadron.organization_id', true));
--> statement-breakpoint
-- A user is visible when they are a member of the organization (through member's own policy).
CREATE POLICY "tenant_isolation" ON "user" AS PERMISSIVE FOR SELECT TO squadron_tenant USING (EXISTS (SELECT 1 FROM "member" WHERE "member"."user_id" = "user"."id" AND "member"."organization_id" = current_setting('squadron.organization_id', true)));
