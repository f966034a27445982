import { agentCollaboration } from "./functions/agent-collaboration";
import { taskWorkflow } from "./functions/task-workflow";

/** Every Inngest function the app serves at `/api/inngest`. */
export const functions = [taskWorkflow, agentCollaboration];
