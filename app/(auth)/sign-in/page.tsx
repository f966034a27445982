import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { safeNextPath } from "@/components/auth/schemas";
import { SignInForm } from "@/components/auth/sign-in-form";
import { getPageContext } from "@/app/_lib/page-context";

export const metadata: Metadata = { title: "Sign in" };

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const next = safeNextPath((await searchParams).next);
  // A valid session skips the form; a stale cookie does not (the proxy only sees that a cookie exists).
  if (await getPageContext()) redirect(next);
  return (
    <>
      <h1 className="mb-1 text-xl font-semibold tracking-tight">Sign in</h1>
      <p className="mb-6 text-sm text-zinc-600">Welcome back to your squads.</p>
      <SignInForm next={next} />
    </>
  );
}
