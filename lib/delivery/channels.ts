import { githubDeliveryChannel } from "@/lib/integrations/github/delivery-channel";
import { jiraDeliveryChannel } from "@/lib/integrations/jira/delivery-channel";
import type { DeliveryChannel } from "./types";

/**
 * Every delivery channel, in the order they run (GitHub first, so a Jira channel can link the pull
 * request it opened — see `listTaskDeliveries`). Add a channel by adding it here.
 */
export const deliveryChannels: readonly DeliveryChannel[] = [githubDeliveryChannel, jiraDeliveryChannel];
