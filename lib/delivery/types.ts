import type { DeliveryChannelId } from "@/db/schema";
import type { TaskRow } from "@/db/queries/tasks";

/**
 * The contract between the task workflow and the places a task's work goes (GitHub, Jira, …).
 * A channel plugs in by being listed in `lib/delivery/channels.ts`; the workflow calls it through
 * `lib/delivery/index.ts` at three moments, each its own durable step:
 *
 * - `start` — a run of the task began (`status-start`): post "the squad is on it" with the task's link;
 * - `deliver` — the squad's policy approved delivering the patch (`deliver`): push, open or update a
 *   pull request, transition an issue. Must be idempotent: a retried step or a second run of the same
 *   task updates what the first one made (same branch, same PR), never makes a second one;
 * - `end` — the run ended (`status-end`): post the outcome (PR link, or why it failed / what it needs).
 *
 * Step results are memoized, so a channel's methods run once per run and step unless the step itself
 * failed midway; they must tolerate being called again after a crash (look up before creating).
 */

/** The task a channel works for, with the link people follow back to Squadron. */
export type DeliveryTask = {
  organizationId: string;
  taskId: string;
  /** Run id of the workflow run (keys idempotency markers, e.g. one start comment per run). */
  runId: string;
  /** The stored task row (title, description, source, `externalRef`, repository, branch, attempt). */
  task: TaskRow;
  /** `<APP_URL>/tasks/<task id>`. */
  taskUrl: string;
};

/** What `deliver` gets: the task plus what the run produced. */
export type DeliveryInput = DeliveryTask & {
  /** The `patch` artifact (null when nothing changed), its files and line counts. */
  patch: { artifactId: string | null; filesChanged: string[]; additions: number; deletions: number };
  /** The run's worktree (its branch carries the committed patch), or null when the task had no repository. */
  worktree: { path: string; branch: string; baseCommit: string } | null;
};

/**
 * What a channel did. `delivered`: `url`/`externalId` name the result (a PR, an issue); `skipped`:
 * nothing to deliver (no changes, no connection) with `message` saying why.
 */
export type DeliveryOutcome =
  | { status: "delivered"; url: string | null; externalId: string | null; message: string; data?: Record<string, unknown> }
  | { status: "skipped"; message: string };

/** How a run ended, for `end`. `reason` is the task's error (failed) or the cancellation reason. */
export type RunEnd = { status: "completed" | "failed" | "cancelled"; reason: string | null };

/**
 * One place a task's work goes. Methods throw {@link DeliveryError} (or any error) when the vendor
 * refuses; `deliver` errors fail the task with the message, `start`/`end` errors only go to the
 * timeline (status updates never fail a run).
 */
export interface DeliveryChannel {
  id: DeliveryChannelId;
  /** Human name for the timeline, e.g. `GitHub`. */
  label: string;
  /** Whether the channel has anything to do for this task (its repository is on GitHub, it came from Jira…). */
  appliesTo(task: TaskRow): Promise<boolean>;
  start?(task: DeliveryTask): Promise<void>;
  deliver?(input: DeliveryInput): Promise<DeliveryOutcome>;
  end?(task: DeliveryTask, end: RunEnd): Promise<void>;
}

/** A vendor refused a delivery; `message` carries the vendor's own words (e.g. GitHub's error message). */
export class DeliveryError extends Error {
  constructor(
    message: string,
    /** HTTP status the vendor answered, when there was one. */
    readonly status: number | null = null,
  ) {
    super(message);
    this.name = "DeliveryError";
  }
}
