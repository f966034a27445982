// Client-safe re-export of the task status constants for components.
export { taskOutcomes, taskStatuses, terminalTaskStatuses, type TaskOutcome, type TaskStatus } from "@/db/schema/task-statuses";
