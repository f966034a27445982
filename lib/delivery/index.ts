import { getDb } from "@/db/client";
import { findTask } from "@/db/queries/tasks";
import { upsertTaskDelivery } from "@/db/queries/task-deliveries";
import { appendTaskEvent } from "@/lib/events/append-task-event";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { deliveryChannels } from "./channels";
import type { DeliveryChannel, DeliveryInput, DeliveryOutcome, DeliveryTask, RunEnd } from "./types";

export type { DeliveryChannel, DeliveryInput, DeliveryOutcome, DeliveryTask, RunEnd } from "./types";
export { DeliveryError } from "./types";

type Scope = { organizationId: string; taskId: string };

/** `<APP_URL>/tasks/<task id>`: the link a channel posts back to the source. */
export function taskUrlFor(taskId: string): string {
  return new URL(`/tasks/${taskId}`, env.APP_URL).toString();
}

async function applicable(scope: Scope, runId: string): Promise<{ task: DeliveryTask; channels: DeliveryChannel[] } | null> {
  const row = await findTask(getDb(), scope);
  if (!row) return null;
  const channels: DeliveryChannel[] = [];
  for (const channel of deliveryChannels) if (await channel.appliesTo(row)) channels.push(channel);
  return { task: { ...scope, runId, task: row, taskUrl: taskUrlFor(scope.taskId) }, channels };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function logStatusFailure(scope: Scope, runId: string, channel: DeliveryChannel, moment: string, error: unknown) {
  await appendTaskEvent(getDb(), {
    ...scope,
    type: "error",
    actor: "system",
    message: `${channel.label}: could not post the ${moment} status: ${messageOf(error)}`,
    data: { channel: channel.id, moment },
    dedupeKey: `${runId}:delivery-${moment}-${channel.id}`,
  });
}

/**
 * Tells every applicable channel that a run of the task started (workflow step `status-start`).
 * A channel's failure is written to the timeline and never fails the run.
 * @returns the ids of the channels that were told
 */
export async function announceStart(scope: Scope, runId: string): Promise<string[]> {
  const found = await applicable(scope, runId);
  if (!found) return [];
  const told: string[] = [];
  for (const channel of found.channels) {
    if (!channel.start) continue;
    try {
      await channel.start(found.task);
      told.push(channel.id);
    } catch (error) {
      await logStatusFailure(scope, runId, channel, "start", error);
    }
  }
  return told;
}

/**
 * Delivers the task's work through every applicable channel (workflow step `deliver`, after the
 * policy approved delivery): each outcome is stored in `task_deliveries` (one row per task and
 * channel) with a timeline entry. The patch artifact is untouched whatever happens.
 * @returns one `{ channel, status, url }` per channel that ran
 * @throws AppError `unavailable` naming the channel and carrying the vendor's message when a channel
 *   failed (the failure is stored first: `task_deliveries.status = failed`, `error`, timeline entry)
 */
export async function deliverTask(
  scope: Scope,
  runId: string,
  produced: Pick<DeliveryInput, "patch" | "worktree">,
): Promise<{ channel: string; status: DeliveryOutcome["status"]; url: string | null }[]> {
  const found = await applicable(scope, runId);
  if (!found) return [];
  const results: { channel: string; status: DeliveryOutcome["status"]; url: string | null }[] = [];
  for (const channel of found.channels) {
    if (!channel.deliver) continue;
    let outcome: DeliveryOutcome;
    try {
      outcome = await channel.deliver({ ...found.task, ...produced });
    } catch (error) {
      const reason = `${channel.label} delivery failed: ${messageOf(error)}`;
      const db = getDb();
      await db.transaction(async (tx) => {
        await upsertTaskDelivery(tx, { ...scope, channel: channel.id, status: "failed", error: reason });
        await appendTaskEvent(tx, {
          ...scope,
          type: "error",
          actor: "system",
          message: `${reason}. The patch is kept on the task; retry the task to deliver it again.`,
          data: { channel: channel.id },
          dedupeKey: `${runId}:delivery-failed-${channel.id}`,
        });
      });
      throw new AppError("unavailable", reason);
    }
    if (outcome.status === "delivered") {
      await getDb().transaction(async (tx) => {
        await upsertTaskDelivery(tx, {
          ...scope,
          channel: channel.id,
          status: "delivered",
          externalId: outcome.externalId,
          url: outcome.url,
          data: outcome.data ?? null,
        });
        await appendTaskEvent(tx, {
          ...scope,
          type: "artifact",
          actor: "system",
          message: outcome.message,
          data: { channel: channel.id, url: outcome.url, externalId: outcome.externalId },
          dedupeKey: `${runId}:delivered-${channel.id}`,
        });
      });
      results.push({ channel: channel.id, status: "delivered", url: outcome.url });
    } else {
      await appendTaskEvent(getDb(), {
        ...scope,
        type: "message",
        actor: "system",
        message: outcome.message,
        data: { channel: channel.id },
        dedupeKey: `${runId}:delivery-skipped-${channel.id}`,
      });
      results.push({ channel: channel.id, status: "skipped", url: null });
    }
  }
  return results;
}

/**
 * Tells every applicable channel how the run ended (workflow step `status-end`): completed (with the
 * delivery's link), failed (the task's error) or cancelled (the reason). Failures go to the timeline only.
 * @returns the ids of the channels that were told
 */
export async function announceEnd(scope: Scope, runId: string, end: RunEnd): Promise<string[]> {
  const found = await applicable(scope, runId);
  if (!found) return [];
  const told: string[] = [];
  for (const channel of found.channels) {
    if (!channel.end) continue;
    try {
      await channel.end(found.task, { ...end, reason: end.reason ?? found.task.task.error });
      told.push(channel.id);
    } catch (error) {
      await logStatusFailure(scope, runId, channel, "end", error);
    }
  }
  return told;
}
