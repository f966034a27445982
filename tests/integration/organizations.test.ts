import { startStack, type Client, type Stack } from "../fixtures/stack";

/** `GET /api/v1/audit-events` as the suite reads it. */
type AuditPage = {
  items: {
    id: number;
    action: string;
    targetType: string;
    targetId: string | null;
    actor: { userId: string | null; name: string | null; email: string | null };
    data: Record<string, unknown>;
  }[];
  nextCursor: number | null;
};
type MailJson = { id: string; to: string; subject: string; text: string; link: string | null; transport: string };
type SessionJson = { user: { id: string; email: string }; session: { activeOrganizationId: string | null } };
type InvitationJson = { id: string; email: string; role: string; organizationId: string; status: string };
type MemberJson = { id: string; userId: string; role: string };

/**
 * Organizations and members through the real better-auth endpoints and v1 routes: invitations
 * through the outbox mailer, accepting, switching the active organization, role-based refusals,
 * and the audit log of member changes, per organization.
 */
describe("organizations, invitations and the audit log (pglite)", () => {
  let stack: Stack;
  let ownerA: Client;
  let ownerAUserId: string;
  let orgA: string;
  let taskA: string;

  /** Signs up with a chosen email (invitations are addressed to it), returning a cookie client. */
  const signUpAs = (name: string, email: string): Promise<Client> => stack.signUp(name, email);

  const post = (body: unknown): RequestInit => ({ method: "POST", body: JSON.stringify(body) });

  /**
   * The id of the one organization a fresh user has (sign-up provisions it after the session is made,
   * so the session does not name it yet; the v1 API falls back to it).
   */
  async function onlyOrganizationOf(client: Client): Promise<string> {
    const { status, body } = await client.json<{ id: string }[]>("/api/auth/organization/list");
    expect(status).toBe(200);
    expect(body).toHaveLength(1);
    return body[0].id;
  }

  async function sessionOf(client: Client): Promise<SessionJson> {
    const { status, body } = await client.json<SessionJson>("/api/auth/get-session");
    expect(status).toBe(200);
    return body;
  }

  /** Invites `email` to `organizationId` as `role`, returning the invitation. */
  async function invite(client: Client, organizationId: string, email: string, role: string): Promise<InvitationJson> {
    const { status, body } = await client.json<InvitationJson>("/api/auth/organization/invite-member", post({ email, role, organizationId }));
    expect(status).toBe(200);
    return body;
  }

  async function outboxOf(client: Client): Promise<MailJson[]> {
    const { status, body } = await client.json<MailJson[]>("/api/v1/mail-outbox");
    expect(status).toBe(200);
    return body;
  }

  async function membersOf(client: Client, organizationId: string): Promise<MemberJson[]> {
    const { status, body } = await client.json<{ members: MemberJson[] }>(
      `/api/auth/organization/list-members?organizationId=${encodeURIComponent(organizationId)}`,
    );
    expect(status).toBe(200);
    return body.members;
  }

  /** Ids of `GET /api/v1/tasks` (a plain array, or a `{ items }` page once the list is paginated). */
  async function taskIdsOf(client: Client): Promise<string[]> {
    const { status, body } = await client.json<{ id: string }[] | { items: { id: string }[] }>("/api/v1/tasks");
    expect(status).toBe(200);
    return (Array.isArray(body) ? body : body.items).map((t) => t.id);
  }

  const uniqueEmail = (who: string) => `${who}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@example.test`;

  beforeAll(async () => {
    stack = await startStack("pglite");
    ownerA = await stack.signUp("Olivia Owner");
    const s = await sessionOf(ownerA);
    ownerAUserId = s.user.id;
    orgA = await onlyOrganizationOf(ownerA);
    const created = await ownerA.json<{ id: string }>("/api/v1/tasks", post({ title: "Organization A's task" }));
    expect(created.status).toBe(201);
    taskA = created.body.id;
  }, 120_000);

  afterAll(async () => {
    if (taskA) await stack.waitForTask(ownerA, taskA).catch(() => undefined);
    await stack?.stop();
  });

  it("invites a viewer through the outbox, who accepts, switches to the organization and sees its tasks", async () => {
    const email = uniqueEmail("vera");
    const invitation = await invite(ownerA, orgA, email, "viewer");
    expect(invitation.status).toBe("pending");

    // The outbox mailer stored the message with the accept link.
    const mail = (await outboxOf(ownerA)).find((m) => m.to === email);
    expect(mail).toBeDefined();
    expect(mail?.transport).toBe("outbox");
    expect(mail?.link).toBe(`${stack.url}/invitations/${invitation.id}`);
    expect(mail?.text).toContain(mail?.link ?? "missing");

    // The invitee signs up (getting an organization of their own) and accepts.
    const vera = await signUpAs("Vera Viewer", email);
    const ownOrg = await onlyOrganizationOf(vera);
    expect(ownOrg).not.toBe(orgA);
    const preview = await vera.json<{ organizationName: string; inviterEmail: string }>(
      `/api/auth/organization/get-invitation?id=${encodeURIComponent(invitation.id)}`,
    );
    expect(preview.status).toBe(200);
    expect(preview.body.inviterEmail).toMatch(/@example\.test$/);

    const accepted = await vera.json<{ member: MemberJson }>("/api/auth/organization/accept-invitation", post({ invitationId: invitation.id }));
    expect(accepted.status).toBe(200);
    expect(accepted.body.member.role).toBe("viewer");

    // Switching the active organization changes what the v1 API shows.
    expect((await vera.json("/api/auth/organization/set-active", post({ organizationId: ownOrg }))).status).toBe(200);
    expect(await taskIdsOf(vera)).not.toContain(taskA);

    expect((await vera.json("/api/auth/organization/set-active", post({ organizationId: orgA }))).status).toBe(200);
    expect((await sessionOf(vera)).session.activeOrganizationId).toBe(orgA);
    expect(await taskIdsOf(vera)).toContain(taskA);

    // A viewer reads neither the audit log nor the outbox, and cannot invite.
    expect((await vera.json("/api/v1/audit-events")).status).toBe(403);
    expect((await vera.json("/api/v1/mail-outbox")).status).toBe(403);
    const refused = await vera.json<{ message: string }>(
      "/api/auth/organization/invite-member",
      post({ email: uniqueEmail("x"), role: "member", organizationId: orgA }),
    );
    expect(refused.status).toBe(403);

    // The invitation and the new member are in the owner's audit log.
    const audit = await ownerA.json<AuditPage>("/api/v1/audit-events");
    expect(audit.status).toBe(200);
    const invited = audit.body.items.find((e) => e.action === "member.invited" && e.targetId === invitation.id);
    expect(invited?.actor.userId).toBe(ownerAUserId);
    expect(invited?.data).toMatchObject({ email, role: "viewer" });
    const added = audit.body.items.find((e) => e.action === "member.added" && e.targetId === accepted.body.member.id);
    expect(added?.data).toMatchObject({ email, role: "viewer", invitationId: invitation.id });
  });

  it("refuses invitations from a member, and logs role changes and removals for owners only", async () => {
    const email = uniqueEmail("max");
    const invitation = await invite(ownerA, orgA, email, "member");
    const max = await signUpAs("Max Member", email);
    const accepted = await max.json<{ member: MemberJson }>("/api/auth/organization/accept-invitation", post({ invitationId: invitation.id }));
    expect(accepted.status).toBe(200);
    const maxMemberId = accepted.body.member.id;

    // A member may work but not invite, nor read the audit log.
    const refused = await max.json<{ message: string }>(
      "/api/auth/organization/invite-member",
      post({ email: uniqueEmail("y"), role: "viewer", organizationId: orgA }),
    );
    expect(refused.status).toBe(403);
    expect(refused.body.message).toMatch(/not allowed/i);
    expect((await max.json("/api/v1/audit-events")).status).toBe(403);
    // …nor change roles.
    const selfPromotion = await max.json(
      "/api/auth/organization/update-member-role",
      post({ memberId: maxMemberId, role: "admin", organizationId: orgA }),
    );
    expect(selfPromotion.status).toBe(403);

    // The owner demotes Max to viewer, then removes him.
    const changed = await ownerA.json<MemberJson>(
      "/api/auth/organization/update-member-role",
      post({ memberId: maxMemberId, role: "viewer", organizationId: orgA }),
    );
    expect(changed.status).toBe(200);
    expect(changed.body.role).toBe("viewer");
    const removed = await ownerA.json("/api/auth/organization/remove-member", post({ memberIdOrEmail: maxMemberId, organizationId: orgA }));
    expect(removed.status).toBe(200);
    expect((await membersOf(ownerA, orgA)).map((m) => m.id)).not.toContain(maxMemberId);

    const { status, body } = await ownerA.json<AuditPage>("/api/v1/audit-events");
    expect(status).toBe(200);
    const roleChanged = body.items.find((e) => e.action === "member.role_changed" && e.targetId === maxMemberId);
    expect(roleChanged).toBeDefined();
    expect(roleChanged?.actor.userId).toBe(ownerAUserId);
    expect(roleChanged?.actor.name).toBe("Olivia Owner");
    expect(roleChanged?.data).toMatchObject({ email, from: "member", to: "viewer" });
    const removal = body.items.find((e) => e.action === "member.removed" && e.targetId === maxMemberId);
    expect(removal?.actor.userId).toBe(ownerAUserId);
    expect(removal?.data).toMatchObject({ email, role: "viewer" });
    // Newest first: the removal came after the role change.
    expect(body.items.indexOf(removal!)).toBeLessThan(body.items.indexOf(roleChanged!));

    // Max, no longer a member, is back in his own organization and cannot read A's log.
    expect(await taskIdsOf(max)).not.toContain(taskA);
  });

  it("logs cancelled invitations, and pages the audit log by cursor", async () => {
    const invitation = await invite(ownerA, orgA, uniqueEmail("cancel"), "member");
    const cancelled = await ownerA.json("/api/auth/organization/cancel-invitation", post({ invitationId: invitation.id }));
    expect(cancelled.status).toBe(200);

    const first = await ownerA.json<AuditPage>("/api/v1/audit-events?limit=1");
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(1);
    expect(first.body.items[0]).toMatchObject({ action: "invitation.cancelled", targetId: invitation.id });
    expect(first.body.nextCursor).toBe(first.body.items[0].id);

    const second = await ownerA.json<AuditPage>(`/api/v1/audit-events?limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body.items).toHaveLength(2);
    expect(second.body.items[0].id).toBeLessThan(first.body.items[0].id);
    expect(second.body.items[0]).toMatchObject({ action: "member.invited", targetId: invitation.id });

    const all = await ownerA.json<AuditPage>("/api/v1/audit-events?limit=100&cursor=");
    expect(all.body.nextCursor).toBeNull();
    expect(all.body.items.map((e) => e.id)).toEqual([...all.body.items.map((e) => e.id)].sort((a, b) => b - a));

    const bad = await ownerA.json<{ error: { code: string; details: { issues: { path: string }[] } } }>("/api/v1/audit-events?limit=0&cursor=abc");
    expect(bad.status).toBe(422);
    expect(bad.body.error.details.issues.map((i) => i.path).sort()).toEqual(["cursor", "limit"]);
  });

  it("keeps each organization's audit log and outbox to itself", async () => {
    const ownerB = await stack.signUp("Bob Owner B");
    const orgB = await onlyOrganizationOf(ownerB);
    const bInvite = await invite(ownerB, orgB, uniqueEmail("bea"), "member");

    const audit = await ownerB.json<AuditPage>("/api/v1/audit-events?limit=100");
    expect(audit.status).toBe(200);
    expect(audit.body.items.map((e) => e.targetId)).toEqual([bInvite.id]);
    const outbox = await outboxOf(ownerB);
    expect(outbox.map((m) => m.link)).toEqual([`${stack.url}/invitations/${bInvite.id}`]);

    // B cannot make A its active organization, nor invite into it, nor cancel A's invitations.
    expect((await ownerB.json("/api/auth/organization/set-active", post({ organizationId: orgA }))).status).toBe(403);
    const intoA = await ownerB.json("/api/auth/organization/invite-member", post({ email: uniqueEmail("z"), role: "member", organizationId: orgA }));
    expect(intoA.status).toBeGreaterThanOrEqual(400);
    const aPending = await invite(ownerA, orgA, uniqueEmail("pending"), "viewer");
    const cancelA = await ownerB.json("/api/auth/organization/cancel-invitation", post({ invitationId: aPending.id }));
    expect(cancelA.status).toBeGreaterThanOrEqual(400);

    // And A still sees only its own rows.
    const aOutbox = await outboxOf(ownerA);
    expect(aOutbox.map((m) => m.link)).not.toContain(`${stack.url}/invitations/${bInvite.id}`);
    const aAudit = await ownerA.json<AuditPage>("/api/v1/audit-events?limit=100");
    expect(aAudit.body.items.map((e) => e.targetId)).not.toContain(bInvite.id);
  });
});
