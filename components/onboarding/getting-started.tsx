import Link from "next/link";
import { cn } from "@/components/ui/cn";

/** Where a new organization stands on its first run: each step is done or not. */
export type OnboardingState = {
  repositoryName: string | null;
  firstTask: { id: string; title: string } | null;
  firstResult: { id: string; outcome: string } | null;
};

/**
 * The first-run walk-through shown instead of an empty task list: connect a repository (the bundled
 * example is already connected) → create the first task (the form beside it) → see the result.
 * It disappears once a task of the organization has ended.
 */
export function GettingStarted({ state }: { state: OnboardingState }) {
  const steps = [
    {
      title: "Connect a repository",
      done: state.repositoryName !== null,
      body: state.repositoryName ? (
        <>
          <span className="font-medium text-zinc-900">{state.repositoryName}</span> is connected.{" "}
          <Link href="/settings/repositories" className="font-medium text-indigo-700 underline underline-offset-2">
            Add your own
          </Link>{" "}
          (a local git repository) whenever you like.
        </>
      ) : (
        <>
          <Link href="/settings/repositories" className="font-medium text-indigo-700 underline underline-offset-2">
            Add a repository
          </Link>{" "}
          for your squad to work on.
        </>
      ),
    },
    {
      title: "Give the squad its first task",
      done: state.firstTask !== null,
      body: state.firstTask ? (
        <>
          <Link href={`/tasks/${state.firstTask.id}`} className="font-medium text-indigo-700 underline underline-offset-2">
            {state.firstTask.title}
          </Link>{" "}
          is on its way: the product manager plans, developers write the code, QA runs the tests.
        </>
      ) : (
        <>Use the form: try the example task, or describe your own in Markdown.</>
      ),
    },
    {
      title: "See the result",
      done: state.firstResult !== null,
      body: state.firstTask ? (
        <>Open the task to follow it live; you get a patch with its test report and review, or a clear reason why not.</>
      ) : (
        <>Each task ends delivered (a tested patch), with no changes, failed, cancelled or rejected — you see which at a glance.</>
      ),
    },
  ];
  const current = steps.findIndex((s) => !s.done);
  return (
    <div className="px-4 py-5 sm:px-5" data-testid="onboarding">
      <p className="text-sm font-medium text-zinc-900">Get started in three steps</p>
      <ol className="mt-4 space-y-4">
        {steps.map((step, i) => (
          <li key={step.title} className="flex gap-3" data-testid="onboarding-step" data-done={step.done ? "true" : "false"} aria-current={i === current ? "step" : undefined}>
            <span
              aria-hidden="true"
              className={cn(
                "flex size-6 shrink-0 items-center justify-center rounded-full text-xs font-semibold",
                step.done ? "bg-emerald-600 text-white" : i === current ? "bg-indigo-600 text-white" : "bg-zinc-100 text-zinc-600",
              )}
            >
              {step.done ? "✓" : i + 1}
            </span>
            <div className="min-w-0">
              <p className="text-sm font-medium text-zinc-900">
                {step.title}
                <span className="sr-only">{step.done ? " (done)" : i === current ? " (next)" : ""}</span>
              </p>
              <p className="mt-0.5 text-sm text-zinc-600">{step.body}</p>
            </div>
          </li>
        ))}
      </ol>
    </div>
  );
}
