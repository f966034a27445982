"use server";

import { getPageContext } from "@/app/_lib/page-context";
import type { BoardCard } from "@/components/board/columns";
import { allows } from "@/lib/auth/permissions";
import { AppError } from "@/lib/errors";
import { loadBoard } from "./load-board";

/** The board's cards, for its live refresh. @throws AppError `unauthorized` / `forbidden` */
export async function reloadBoard(): Promise<BoardCard[]> {
  const ctx = await getPageContext();
  if (!ctx) throw new AppError("unauthorized", "Sign in again.");
  if (!allows(ctx.permissions, { task: ["read"] })) throw new AppError("forbidden", "You may not read tasks.");
  return loadBoard(ctx.organizationId);
}
