import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { getPageContext } from "@/app/_lib/page-context";
import { TaskBoard } from "@/components/board/task-board";
import { reloadBoard } from "./actions";
import { loadBoard } from "./load-board";

export const metadata: Metadata = { title: "Board" };

export default async function BoardPage() {
  const ctx = await getPageContext();
  if (!ctx) redirect("/sign-in?next=/board");
  const cards = await loadBoard(ctx.organizationId);
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Board</h1>
        <p className="mt-1 text-sm text-zinc-600">Every task by where it is, updating live: repository, squad, cost so far and age.</p>
      </div>
      <TaskBoard initialCards={cards} renderedAt={Date.now()} reload={reloadBoard} />
    </div>
  );
}
