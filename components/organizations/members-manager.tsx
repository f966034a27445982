"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import Link from "next/link";
import { useCallback, useEffect, useState } from "react";
import { useForm } from "react-hook-form";
import { authErrorMessage } from "@/components/auth/auth-error";
import { LocalTime } from "@/components/local-time";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardHeader } from "@/components/ui/card";
import { Field, fieldAria, Input } from "@/components/ui/field";
import { Spinner } from "@/components/ui/spinner";
import { authClient } from "@/lib/auth-client";
import {
  inviteMemberSchema,
  organizationRoles,
  organizationRoleSchema,
  roleDescriptions,
  roleList,
  type InviteMemberInput,
  type OrganizationRole,
} from "./roles";

type MemberView = { id: string; userId: string; role: string; createdAt: Date | string; user: { name: string; email: string } };
type InvitationView = { id: string; email: string; role: string; status: string; expiresAt: Date | string };

/** What the signed-in user may do here (from their role, computed on the server). */
export type MemberPermissions = {
  invite: boolean;
  updateRole: boolean;
  remove: boolean;
  cancelInvitation: boolean;
  /** Only owners may make (or unmake) owners. */
  manageOwners: boolean;
};

const selectClass =
  "h-8 rounded-md border-0 bg-white py-1 pl-2 pr-7 text-sm text-zinc-900 shadow-sm ring-1 ring-inset ring-zinc-300 focus:ring-2 focus:ring-indigo-600 focus:outline-none disabled:bg-zinc-50 disabled:text-zinc-500";

/**
 * The members of an organization and its pending invitations, through better-auth's organization
 * endpoints. Owners and admins invite, change roles, remove members and cancel invitations; everyone
 * else sees the list read-only. Every refusal shows better-auth's own message.
 */
export function MembersManager({
  organizationId,
  currentUserId,
  can,
}: {
  organizationId: string;
  currentUserId: string;
  can: MemberPermissions;
}) {
  const [members, setMembers] = useState<MemberView[] | null>(null);
  const [invitations, setInvitations] = useState<InvitationView[]>([]);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [confirmRemove, setConfirmRemove] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      const { data, error } = await authClient.organization.getFullOrganization({ query: { organizationId } });
      if (error || !data) {
        setLoadError(authErrorMessage(error, "Could not load the members."));
        return;
      }
      setLoadError(null);
      setMembers(data.members);
      const now = Date.now();
      setInvitations(
        (data.invitations ?? []).filter((i) => i.status === "pending" && new Date(i.expiresAt).getTime() > now),
      );
    } catch (e) {
      setLoadError(authErrorMessage(e, "Could not load the members."));
    }
  }, [organizationId]);

  useEffect(() => {
    void load();
  }, [load]);

  /** Runs one better-auth call, shows its error if any, and reloads the lists. */
  async function act(key: string, call: () => Promise<{ error: unknown }>, fallback: string) {
    setBusy(key);
    setActionError(null);
    try {
      const { error } = await call();
      if (error) setActionError(authErrorMessage(error, fallback));
    } catch (e) {
      setActionError(authErrorMessage(e, fallback));
    } finally {
      setBusy(null);
      setConfirmRemove(null);
      await load();
    }
  }

  const assignable = organizationRoles.filter((r) => can.manageOwners || r !== "owner");

  return (
    <div className="space-y-6">
      {can.invite ? <InviteForm organizationId={organizationId} roles={assignable} onInvited={load} /> : null}

      <Card aria-labelledby="members-heading">
        <CardHeader
          headingId="members-heading"
          title="Members"
          description={can.updateRole ? "Change a role or remove a member; it takes effect on their next request." : "Only owners and admins can change members."}
        />
        {actionError ? <Alert className="mx-4 mt-4 sm:mx-5">{actionError}</Alert> : null}
        {loadError ? <Alert className="mx-4 my-4 sm:mx-5">{loadError}</Alert> : null}
        {members === null && !loadError ? (
          <div className="flex items-center gap-2 px-5 py-6 text-sm text-zinc-500">
            <Spinner /> Loading members…
          </div>
        ) : null}
        {members ? (
          <ul className="divide-y divide-zinc-100" aria-label="Members">
            {members.map((m) => {
              const self = m.userId === currentUserId;
              const isOwner = roleList(m.role).includes("owner");
              const editable = can.updateRole && !self && (can.manageOwners || !isOwner);
              const removable = can.remove && !self && (can.manageOwners || !isOwner);
              const single = organizationRoleSchema.safeParse(m.role);
              return (
                <li key={m.id} className="flex flex-wrap items-center justify-between gap-3 px-4 py-3 sm:px-5" data-testid="member-row">
                  <div className="min-w-0">
                    <p className="truncate text-sm font-medium text-zinc-900">
                      {m.user.name} {self ? <Badge tone="indigo">You</Badge> : null}
                    </p>
                    <p className="truncate text-xs text-zinc-500">
                      {m.user.email} · joined <LocalTime iso={new Date(m.createdAt).toISOString()} />
                    </p>
                  </div>
                  <div className="flex items-center gap-2">
                    {editable && single.success ? (
                      <select
                        aria-label={`Role of ${m.user.email}`}
                        className={selectClass}
                        value={single.data}
                        disabled={busy !== null}
                        onChange={(e) => {
                          const role = organizationRoleSchema.parse(e.target.value);
                          void act(
                            `role:${m.id}`,
                            () => authClient.organization.updateMemberRole({ memberId: m.id, role, organizationId }),
                            "Could not change the role.",
                          );
                        }}
                      >
                        {(isOwner || can.manageOwners ? organizationRoles : assignable).map((r) => (
                          <option key={r} value={r}>
                            {r}
                          </option>
                        ))}
                      </select>
                    ) : (
                      <Badge tone={isOwner ? "violet" : "zinc"} title={single.success ? roleDescriptions[single.data] : undefined}>
                        {m.role}
                      </Badge>
                    )}
                    {busy === `role:${m.id}` || busy === `remove:${m.id}` ? <Spinner label="Saving" /> : null}
                    {removable && confirmRemove !== m.id ? (
                      <Button variant="ghost" size="sm" disabled={busy !== null} onClick={() => setConfirmRemove(m.id)}>
                        Remove
                      </Button>
                    ) : null}
                    {removable && confirmRemove === m.id ? (
                      <>
                        <Button
                          variant="primary"
                          size="sm"
                          className="bg-red-600 hover:bg-red-500"
                          disabled={busy !== null}
                          onClick={() =>
                            void act(
                              `remove:${m.id}`,
                              () => authClient.organization.removeMember({ memberIdOrEmail: m.id, organizationId }),
                              "Could not remove the member.",
                            )
                          }
                        >
                          Remove {m.user.email}
                        </Button>
                        <Button variant="ghost" size="sm" onClick={() => setConfirmRemove(null)}>
                          Keep
                        </Button>
                      </>
                    ) : null}
                  </div>
                </li>
              );
            })}
          </ul>
        ) : null}
      </Card>

      {can.invite ? (
        <Card aria-labelledby="invitations-heading">
          <CardHeader
            headingId="invitations-heading"
            title="Pending invitations"
            description={
              <>
                Each invitee gets a link by mail; without SMTP it is in the{" "}
                <Link href="/settings/outbox" className="font-medium text-indigo-600 hover:text-indigo-500">
                  outbox
                </Link>
                .
              </>
            }
          />
          {invitations.length === 0 ? (
            <p className="px-4 py-6 text-sm text-zinc-500 sm:px-5">No pending invitations.</p>
          ) : (
            <ul className="divide-y divide-zinc-100" aria-label="Pending invitations">
              {invitations.map((i) => (
                <li key={i.id} className="flex flex-wrap items-center justify-between gap-3 px-4 py-3 sm:px-5" data-testid="invitation-row">
                  <div className="min-w-0">
                    <p className="truncate text-sm font-medium text-zinc-900">{i.email}</p>
                    <p className="text-xs text-zinc-500">
                      {i.role} · expires <LocalTime iso={new Date(i.expiresAt).toISOString()} />
                    </p>
                  </div>
                  {can.cancelInvitation ? (
                    <Button
                      variant="secondary"
                      size="sm"
                      disabled={busy !== null}
                      onClick={() =>
                        void act(
                          `cancel:${i.id}`,
                          () => authClient.organization.cancelInvitation({ invitationId: i.id }),
                          "Could not cancel the invitation.",
                        )
                      }
                    >
                      {busy === `cancel:${i.id}` ? <Spinner /> : null}
                      Cancel invitation
                    </Button>
                  ) : null}
                </li>
              ))}
            </ul>
          )}
        </Card>
      ) : null}
    </div>
  );
}

function InviteForm({
  organizationId,
  roles,
  onInvited,
}: {
  organizationId: string;
  roles: readonly OrganizationRole[];
  onInvited: () => Promise<void>;
}) {
  const [sentTo, setSentTo] = useState<string | null>(null);
  const {
    register,
    handleSubmit,
    setError,
    reset,
    watch,
    formState: { errors, isSubmitting },
  } = useForm<InviteMemberInput>({ resolver: zodResolver(inviteMemberSchema), defaultValues: { email: "", role: "member" } });
  const role = watch("role");

  const onSubmit = handleSubmit(async (values) => {
    setSentTo(null);
    try {
      const { error } = await authClient.organization.inviteMember({ email: values.email, role: values.role, organizationId });
      if (error) {
        setError("root", { message: authErrorMessage(error, "Could not send the invitation.") });
        return;
      }
    } catch (e) {
      setError("root", { message: authErrorMessage(e, "Could not send the invitation.") });
      return;
    }
    setSentTo(values.email);
    reset({ email: "", role: values.role });
    await onInvited();
  });

  return (
    <Card aria-labelledby="invite-heading">
      <CardHeader headingId="invite-heading" title="Invite someone" description="They join with the role you pick once they accept." />
      <form onSubmit={onSubmit} noValidate className="space-y-4 px-4 py-4 sm:px-5" aria-label="Invite member">
        {errors.root?.message ? <Alert>{errors.root.message}</Alert> : null}
        {sentTo ? (
          <Alert tone="info">
            Invitation sent to {sentTo}. Without SMTP configured, its link is in the{" "}
            <Link href="/settings/outbox" className="font-medium underline">
              outbox
            </Link>
            .
          </Alert>
        ) : null}
        <div className="grid gap-4 sm:grid-cols-[1fr_12rem_auto] sm:items-end">
          <Field id="invite-email" label="Email" error={errors.email?.message}>
            <Input type="email" autoComplete="off" {...fieldAria("invite-email", errors.email?.message)} {...register("email")} />
          </Field>
          <Field id="invite-role" label="Role" error={errors.role?.message}>
            <select className={`${selectClass} h-10 w-full`} {...fieldAria("invite-role", errors.role?.message)} {...register("role")}>
              {roles.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
          </Field>
          <Button type="submit" disabled={isSubmitting}>
            {isSubmitting ? <Spinner /> : null}
            Send invitation
          </Button>
        </div>
        {role && organizationRoleSchema.safeParse(role).success ? (
          <p className="text-xs text-zinc-500">
            <span className="font-medium text-zinc-700">{role}:</span> {roleDescriptions[organizationRoleSchema.parse(role)]}
          </p>
        ) : null}
      </form>
    </Card>
  );
}
