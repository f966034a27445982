"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import { authErrorMessage } from "@/components/auth/auth-error";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Spinner } from "@/components/ui/spinner";
import { authClient } from "@/lib/auth-client";

type InvitationDetails = { organizationId: string; organizationName: string; inviterEmail: string; role: string; email: string };

const linkButton =
  "inline-flex h-10 flex-1 items-center justify-center rounded-md px-4 text-sm font-medium shadow-sm transition-colors";

/**
 * An invitation's accept page. Signed out: sign in or create an account first, coming back here.
 * Signed in as the invitee: who invited them to which organization, Accept (joins, makes it the
 * active organization, goes to /tasks) or Decline.
 */
export function InvitationView({ invitationId }: { invitationId: string }) {
  const router = useRouter();
  const session = authClient.useSession();
  const signedInEmail = session.data?.user.email ?? null;
  const [details, setDetails] = useState<InvitationDetails | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState<"accept" | "decline" | null>(null);
  const [declined, setDeclined] = useState(false);

  useEffect(() => {
    if (!signedInEmail) return;
    let cancelled = false;
    void (async () => {
      try {
        const { data, error } = await authClient.organization.getInvitation({ query: { id: invitationId } });
        if (cancelled) return;
        if (error || !data) setLoadError(authErrorMessage(error, "This invitation could not be loaded."));
        else setDetails(data);
      } catch (e) {
        if (!cancelled) setLoadError(authErrorMessage(e, "This invitation could not be loaded."));
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [invitationId, signedInEmail]);

  async function accept() {
    if (!details) return;
    setPending("accept");
    setError(null);
    try {
      const accepted = await authClient.organization.acceptInvitation({ invitationId });
      if (accepted.error) {
        setError(authErrorMessage(accepted.error, "Could not accept the invitation."));
        return;
      }
      const active = await authClient.organization.setActive({ organizationId: details.organizationId });
      if (active.error) {
        setError(authErrorMessage(active.error, "You joined, but switching to the organization failed. Pick it in the header."));
        return;
      }
      router.replace("/tasks");
      router.refresh();
    } catch (e) {
      setError(authErrorMessage(e, "Could not accept the invitation."));
    } finally {
      setPending(null);
    }
  }

  async function decline() {
    setPending("decline");
    setError(null);
    try {
      const { error } = await authClient.organization.rejectInvitation({ invitationId });
      if (error) setError(authErrorMessage(error, "Could not decline the invitation."));
      else setDeclined(true);
    } catch (e) {
      setError(authErrorMessage(e, "Could not decline the invitation."));
    } finally {
      setPending(null);
    }
  }

  const here = `/invitations/${encodeURIComponent(invitationId)}`;

  if (session.isPending) {
    return (
      <div className="flex items-center gap-2 text-sm text-zinc-500">
        <Spinner /> Loading…
      </div>
    );
  }

  if (!session.data) {
    return (
      <div className="space-y-5">
        <h1 className="text-xl font-semibold tracking-tight">You are invited</h1>
        <p className="text-sm text-zinc-600">
          Someone invited you to their organization on Squadron. Sign in, or create an account with the email address the
          invitation was sent to, to see it and accept.
        </p>
        <div className="flex gap-3">
          <Link href={`/sign-in?next=${encodeURIComponent(here)}`} className={`${linkButton} bg-indigo-600 text-white hover:bg-indigo-500`}>
            Sign in
          </Link>
          <Link
            href={`/sign-up?next=${encodeURIComponent(here)}`}
            className={`${linkButton} bg-white text-zinc-900 ring-1 ring-inset ring-zinc-300 hover:bg-zinc-50`}
          >
            Create account
          </Link>
        </div>
      </div>
    );
  }

  if (declined) {
    return (
      <div className="space-y-4">
        <h1 className="text-xl font-semibold tracking-tight">Invitation declined</h1>
        <Link href="/tasks" className="text-sm font-medium text-indigo-600 hover:text-indigo-500">
          Go to your tasks
        </Link>
      </div>
    );
  }

  if (loadError) {
    return (
      <div className="space-y-4">
        <h1 className="text-xl font-semibold tracking-tight">Invitation</h1>
        <Alert title="This invitation can't be used">{loadError}</Alert>
        <p className="text-sm text-zinc-600">
          You are signed in as <span className="font-medium">{session.data.user.email}</span>. Invitations are for one email
          address and expire after 48 hours; a cancelled or accepted one can't be used again.
        </p>
        <Link href="/tasks" className="text-sm font-medium text-indigo-600 hover:text-indigo-500">
          Go to your tasks
        </Link>
      </div>
    );
  }

  if (!details) {
    return (
      <div className="flex items-center gap-2 text-sm text-zinc-500">
        <Spinner /> Loading the invitation…
      </div>
    );
  }

  return (
    <div className="space-y-5">
      <h1 className="text-xl font-semibold tracking-tight">Join {details.organizationName}</h1>
      <p className="text-sm text-zinc-600" data-testid="invitation-summary">
        <span className="font-medium text-zinc-900">{details.inviterEmail}</span> invited you ({details.email}) to join{" "}
        <span className="font-medium text-zinc-900">{details.organizationName}</span> as <span className="font-medium">{details.role}</span>.
      </p>
      {error ? <Alert>{error}</Alert> : null}
      <div className="flex gap-3">
        <Button className="flex-1" onClick={() => void accept()} disabled={pending !== null}>
          {pending === "accept" ? <Spinner /> : null}
          Accept invitation
        </Button>
        <Button variant="secondary" onClick={() => void decline()} disabled={pending !== null}>
          {pending === "decline" ? <Spinner /> : null}
          Decline
        </Button>
      </div>
    </div>
  );
}
