// Client-safe re-export of the task status constants for components.
export { taskStatuses, terminalTaskStatuses, type TaskStatus } from "@/db/schema/task-statuses";
