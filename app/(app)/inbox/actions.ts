"use server";

import { getPageContext } from "@/app/_lib/page-context";
import { loadInbox } from "./load-inbox";

/** How many inbox items the signed-in member's organization has (0 when signed out). */
export async function countInbox(): Promise<number> {
  const ctx = await getPageContext();
  if (!ctx) return 0;
  return (await loadInbox(ctx.organizationId)).length;
}
