CREATE TABLE "outbound_webhook_deliveries" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organization_id" text NOT NULL,
	"endpoint_id" uuid NOT NULL,
	"event_id" uuid NOT NULL,
	"run_key" text NOT NULL,
	"attempt" integer NOT NULL,
	"status" text NOT NULL,
	"response_status" integer,
	"duration_ms" integer NOT NULL,
	"error" text,
	"response_body" text,
	"manual" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "outbound_webhook_endpoints" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organization_id" text NOT NULL,
	"url" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"event_types" jsonb NOT NULL,
	"secret_encrypted" text NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"disabled_reason" text,
	"consecutive_failures" integer DEFAULT 0 NOT NULL,
	"created_by_user_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "outbound_webhook_events" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organization_id" text NOT NULL,
	"type" text NOT NULL,
	"data" jsonb NOT NULL,
	"dispatched_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "outbound_webhook_deliveries" ADD CONSTRAINT "outbound_webhook_deliveries_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organization"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "outbound_webhook_deliveries" ADD CONSTRAINT "outbound_webhook_deliveries_endpoint_id_outbound_webhook_endpoints_id_fk" FOREIGN KEY ("endpoint_id") REFERENCES "public"."outbound_webhook_endpoints"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "outbound_webhook_deliveries" ADD CONSTRAINT "outbound_webhook_deliveries_event_id_outbound_webhook_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."outbound_webhook_events"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "outbound_webhook_endpoints" ADD CONSTRAINT "outbound_webhook_endpoints_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organization"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "outbound_webhook_endpoints" ADD CONSTRAINT "outbound_webhook_endpoints_created_by_user_id_user_id_fk" FOREIGN KEY ("created_by_user_id") REFERENCES "public"."user"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "outbound_webhook_events" ADD CONSTRAINT "outbound_webhook_events_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organization"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "outbound_webhook_deliveries_endpoint_idx" ON "outbound_webhook_deliveries" USING btree ("organization_id","endpoint_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "outbound_webhook_deliveries_attempt_uq" ON "outbound_webhook_deliveries" USING btree ("run_key","endpoint_id","attempt");--> statement-breakpoint
CREATE INDEX "outbound_webhook_endpoints_organization_idx" ON "outbound_webhook_endpoints" USING btree ("organization_id");--> statement-breakpoint
CREATE INDEX "outbound_webhook_events_organization_idx" ON "outbound_webhook_events" USING btree ("organization_id");--> statement-breakpoint
CREATE INDEX "outbound_webhook_events_undispatched_idx" ON "outbound_webhook_events" USING btree ("created_at") WHERE "outbound_webhook_events"."dispatched_at" is null;--> statement-breakpoint
-- Row-level security as in 0006_tenant_rls (grant, enable, policy).
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE "outbound_webhook_endpoints" TO squadron_tenant;
--> statement-breakpoint
ALTER TABLE "outbound_webhook_endpoints" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "outbound_webhook_endpoints" AS PERMISSIVE FOR ALL TO squadron_tenant USING ("organization_id" = current_setting('squadron.organization_id', true)) WITH CHECK ("organization_id" = current_setting('squadron.organization_id', true));
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE "outbound_webhook_events" TO squadron_tenant;
--> statement-breakpoint
ALTER TABLE "outbound_webhook_events" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "outbound_webhook_events" AS PERMISSIVE FOR ALL TO squadron_tenant USING ("organization_id" = current_setting('squadron.organization_id', true)) WITH CHECK ("organization_id" = current_setting('squadron.organization_id', true));
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE "outbound_webhook_deliveries" TO squadron_tenant;
--> statement-breakpoint
ALTER TABLE "outbound_webhook_deliveries" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "outbound_webhook_deliveries" AS PERMISSIVE FOR ALL TO squadron_tenant USING ("organization_id" = current_setting('squadron.organization_id', true)) WITH CHECK ("organization_id" = current_setting('squadron.organization_id', true));
--> statement-breakpoint
-- The transactional outbox: triggers write an outbound_webhook_events row in the transaction of the
-- change itself (a rolled-back change announces nothing, a committed one is never missed), and only
-- when an enabled endpoint of the organization subscribes to that type. Top-level tasks only
-- (subtasks are the squad's internals). They run as the caller, so RLS applies to their insert too.
CREATE OR REPLACE FUNCTION "squadron_outbound_task_event"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  event_type text;
BEGIN
  IF NEW.parent_task_id IS NOT NULL THEN
    RETURN NEW;
  END IF;
  IF TG_OP = 'INSERT' THEN
    event_type := 'task.created';
  ELSIF NEW.status IS DISTINCT FROM OLD.status AND NEW.status IN ('completed', 'failed', 'cancelled') THEN
    event_type := 'task.' || NEW.status;
  ELSE
    RETURN NEW;
  END IF;
  IF NOT EXISTS (
    SELECT 1 FROM "outbound_webhook_endpoints" e
    WHERE e.organization_id = NEW.organization_id AND e.enabled AND e.event_types ? event_type
  ) THEN
    RETURN NEW;
  END IF;
  INSERT INTO "outbound_webhook_events" ("organization_id", "type", "data")
  VALUES (NEW.organization_id, event_type, jsonb_build_object('task', jsonb_build_object(
    'id', NEW.id,
    'title', NEW.title,
    'status', NEW.status,
    'outcome', NEW.outcome,
    'source', NEW.source,
    'externalRef', NEW.external_ref,
    'squadId', NEW.squad_id,
    'repositoryId', NEW.repository_id,
    'error', NEW.error,
    'createdAt', NEW.created_at,
    'completedAt', NEW.completed_at
  )));
  RETURN NEW;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "tasks_outbound_webhooks" AFTER INSERT OR UPDATE OF "status" ON "tasks" FOR EACH ROW EXECUTE FUNCTION "squadron_outbound_task_event"();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION "squadron_outbound_approval_event"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  event_type text;
BEGIN
  IF TG_OP = 'INSERT' AND NEW.status = 'pending' THEN
    event_type := 'approval.requested';
  ELSIF TG_OP = 'UPDATE' AND OLD.status = 'pending' AND NEW.status <> 'pending' THEN
    event_type := 'approval.decided';
  ELSE
    RETURN NEW;
  END IF;
  IF NOT EXISTS (
    SELECT 1 FROM "outbound_webhook_endpoints" e
    WHERE e.organization_id = NEW.organization_id AND e.enabled AND e.event_types ? event_type
  ) THEN
    RETURN NEW;
  END IF;
  INSERT INTO "outbound_webhook_events" ("organization_id", "type", "data")
  VALUES (NEW.organization_id, event_type, jsonb_build_object('approval', jsonb_build_object(
    'id', NEW.id,
    'taskId', NEW.task_id,
    'taskTitle', (SELECT t.title FROM "tasks" t WHERE t.id = NEW.task_id),
    'kind', NEW.kind,
    'status', NEW.status,
    'reason', NEW.reason,
    'requestedBy', NEW.requested_by,
    'comment', NEW.comment,
    'decidedByUserId', NEW.decided_by_user_id,
    'decidedAt', NEW.decided_at,
    'expiresAt', NEW.expires_at,
    'createdAt', NEW.created_at
  )));
  RETURN NEW;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "approvals_outbound_webhooks" AFTER INSERT OR UPDATE OF "status" ON "approvals" FOR EACH ROW EXECUTE FUNCTION "squadron_outbound_approval_event"();
