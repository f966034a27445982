import { Webhooks } from "@octokit/webhooks";
import { eq } from "drizzle-orm";
import { z } from "zod";
import type { Database } from "@/db/client";
import { findRepositoryForWebhook, findSquadForRepository } from "@/db/queries/squads";
import { findTaskByExternalRef, type TaskRow } from "@/db/queries/tasks";
import { webhookDeliveries } from "@/db/schema";
import { decryptSecret } from "@/lib/crypto/secrets";
import { AppError } from "@/lib/errors";
import { dispatchTask, insertQueuedTask } from "@/lib/tasks/create-task";

/** The label that asks the squad to take an existing issue (`issues.labeled`). */
export const SQUAD_LABEL = "squad";

const issuePayloadSchema = z.object({
  action: z.string(),
  issue: z.object({
    number: z.number().int(),
    title: z.string(),
    body: z.string().nullable().optional(),
    html_url: z.string(),
  }),
  label: z.object({ name: z.string() }).optional(),
  repository: z.object({ full_name: z.string() }),
});

export type WebhookResult = {
  /** `accepted`: a task was created; `ignored`: not an event Squadron acts on; `duplicate`: seen before. */
  outcome: "accepted" | "ignored" | "duplicate";
  deliveryId: string;
  taskId: string | null;
  reason?: string;
};

/**
 * Verifies and ingests one GitHub webhook delivery for a repository. `issues.opened` and
 * `issues.labeled` with the `squad` label create one task per issue (external ref
 * `github:<owner/name>#<number>`); every delivery is recorded once by `X-GitHub-Delivery`, so a
 * redelivery creates nothing. Nothing is stored when the request is rejected.
 * @throws AppError `not_found` (unknown repository), `unauthorized` (missing/bad `X-Hub-Signature-256`),
 *   `bad_request` (missing headers, malformed JSON or payload), `internal` (the stored secret cannot be
 *   decrypted: encryption key changed)
 */
export async function receiveGithubWebhook(
  db: Database,
  input: { repositoryId: string; rawBody: string; headers: Headers },
): Promise<WebhookResult> {
  const repository = await findRepositoryForWebhook(db, { repositoryId: input.repositoryId });
  if (!repository) throw new AppError("not_found", "Repository not found");

  const signature = input.headers.get("x-hub-signature-256");
  if (!signature) throw new AppError("unauthorized", "Missing X-Hub-Signature-256 header");
  const secret = await decryptSecret(repository.webhookSecretEncrypted, "repositories.webhook_secret_encrypted");
  const webhooks = new Webhooks({ secret });
  let valid = false;
  try {
    valid = await webhooks.verify(input.rawBody, signature);
  } catch {
    valid = false;
  }
  if (!valid) throw new AppError("unauthorized", "Signature does not match the repository's webhook secret");

  const deliveryId = input.headers.get("x-github-delivery");
  const event = input.headers.get("x-github-event");
  if (!deliveryId || !event) throw new AppError("bad_request", "Missing X-GitHub-Delivery or X-GitHub-Event header");
  let json: unknown;
  try {
    json = JSON.parse(input.rawBody);
  } catch {
    throw new AppError("bad_request", "Payload is not valid JSON");
  }

  const organizationId = repository.organizationId;
  const base = { organizationId, repositoryId: repository.id, provider: "github" as const, deliveryId, event };

  if (event !== "issues") {
    return recordIgnored(db, base, null, `Squadron does not act on ${event} events`);
  }
  const parsed = issuePayloadSchema.safeParse(json);
  if (!parsed.success) {
    throw new AppError("bad_request", `Malformed issues payload: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  }
  const payload = parsed.data;
  const wanted =
    payload.action === "opened" || (payload.action === "labeled" && payload.label?.name === SQUAD_LABEL);
  if (!wanted) {
    return recordIgnored(db, base, payload.action, `issues.${payload.action} does not start a task`);
  }

  const externalRef = `github:${payload.repository.full_name}#${payload.issue.number}`;
  const created = await db.transaction(async (tx) => {
    const [delivery] = await tx
      .insert(webhookDeliveries)
      .values({ ...base, action: payload.action, status: "accepted" })
      .onConflictDoNothing()
      .returning({ id: webhookDeliveries.id });
    if (!delivery) return { duplicate: true as const };
    const existing = await findTaskByExternalRef(tx, { organizationId, externalRef });
    if (existing) return { duplicate: false as const, task: existing, isNew: false };
    const squad = await findSquadForRepository(tx, { organizationId, repositoryId: repository.id });
    const task: TaskRow = await insertQueuedTask(
      tx,
      {
        title: payload.issue.title.slice(0, 200),
        description: `${payload.issue.body ?? ""}\n\nGitHub issue: ${payload.issue.html_url}`.trim(),
        squadId: squad?.id,
      },
      { organizationId, source: "github", externalRef, repositoryId: repository.id },
    );
    await tx
      .update(webhookDeliveries)
      .set({ taskId: task.id })
      .where(eq(webhookDeliveries.id, delivery.id));
    return { duplicate: false as const, task, isNew: true };
  });
  if (created.duplicate) return { outcome: "duplicate", deliveryId, taskId: null };
  if (!created.isNew) {
    return { outcome: "ignored", deliveryId, taskId: created.task.id, reason: `A task already exists for ${externalRef}` };
  }
  await dispatchTask(db, created.task, `github-delivery-${deliveryId}`);
  return { outcome: "accepted", deliveryId, taskId: created.task.id };
}

async function recordIgnored(
  db: Database,
  base: { organizationId: string; repositoryId: string; provider: "github"; deliveryId: string; event: string },
  action: string | null,
  reason: string,
): Promise<WebhookResult> {
  const [row] = await db
    .insert(webhookDeliveries)
    .values({ ...base, action, status: "ignored" })
    .onConflictDoNothing()
    .returning({ id: webhookDeliveries.id });
  return { outcome: row ? "ignored" : "duplicate", deliveryId: base.deliveryId, taskId: null, reason };
}
