import { Brand } from "@/components/brand";

export default function AuthLayout({ children }: { children: React.ReactNode }) {
  return (
    <main className="flex min-h-dvh flex-col items-center justify-center px-4 py-12">
      <div className="mb-8">
        <Brand />
      </div>
      <div className="w-full max-w-sm rounded-xl bg-white p-6 shadow-sm ring-1 ring-zinc-200 sm:p-8">{children}</div>
      <p className="mt-6 max-w-sm text-center text-xs text-zinc-500">
        Squads of AI agents plan, code, test and review your software tasks.
      </p>
    </main>
  );
}
