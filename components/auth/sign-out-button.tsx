"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { authClient } from "@/lib/auth-client";
import { Button } from "@/components/ui/button";
import { Spinner } from "@/components/ui/spinner";

export function SignOutButton() {
  const router = useRouter();
  const [pending, setPending] = useState(false);

  async function signOut() {
    setPending(true);
    try {
      await authClient.signOut();
    } finally {
      // Even if the call failed, leave: the server re-checks the session on every page.
      router.replace("/sign-in");
      router.refresh();
    }
  }

  return (
    <Button variant="secondary" size="sm" onClick={signOut} disabled={pending}>
      {pending ? <Spinner /> : null}
      Sign out
    </Button>
  );
}
