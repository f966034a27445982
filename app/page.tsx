import { redirect } from "next/navigation";

// The proxy already sends `/` to `/tasks` or `/sign-in`; this covers deployments without it.
export default function Home() {
  redirect("/tasks");
}
