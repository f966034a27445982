import Link from "next/link";

/** The Squadron wordmark; links home. */
export function Brand({ href = "/" }: { href?: string }) {
  return (
    <Link href={href} className="inline-flex items-center gap-2 rounded-md font-semibold text-zinc-900">
      <svg aria-hidden="true" viewBox="0 0 24 24" className="size-6 text-indigo-600" fill="currentColor">
        <path d="M12 2 3 7v2l9-5 9 5V7l-9-5Zm0 6-6 3.3v2L12 10l6 3.3v-2L12 8Zm0 6-3 1.7v2L12 16l3 1.7v-2L12 14Z" />
      </svg>
      <span>Squadron</span>
    </Link>
  );
}
