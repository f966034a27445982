import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { safeNextPath } from "@/components/auth/schemas";
import { SignUpForm } from "@/components/auth/sign-up-form";
import { getPageContext } from "@/app/_lib/page-context";

export const metadata: Metadata = { title: "Create account" };

export default async function SignUpPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const next = safeNextPath((await searchParams).next);
  if (await getPageContext()) redirect(next);
  return (
    <>
      <h1 className="mb-1 text-xl font-semibold tracking-tight">Create your account</h1>
      <p className="mb-6 text-sm text-zinc-600">
        You get an organization and a default squad — product manager, tech lead, developer and QA engineer.
      </p>
      <SignUpForm next={next} />
    </>
  );
}
