import { createAccessControl } from "better-auth/plugins/access";
import { defaultStatements } from "better-auth/plugins/organization/access";

/**
 * What can be done in an organization, per resource (better-auth access control). The organization
 * plugin's own statements (organization, member, invitation, team, ac) plus Squadron's.
 */
export const statements = {
  ...defaultStatements,
  task: ["read", "create", "cancel", "retry"],
  approval: ["read", "decide"],
  squad: ["read", "create", "update"],
  repository: ["read", "create", "update", "delete"],
  usage: ["read"],
  /** `apiKey` is the `@better-auth/api-key` plugin's resource name (create, read, update, delete). */
  apiKey: ["create", "read", "update", "delete"],
  audit: ["read"],
} as const;

export const ac = createAccessControl(statements);

type Statements = typeof statements;
export type Resource = keyof Statements;
/** A set of permissions: `{ task: ["create"], approval: ["decide"] }`. */
export type Permissions = { [R in Resource]?: readonly Statements[R][number][] };

const readAll = {
  task: ["read"],
  approval: ["read"],
  squad: ["read"],
  repository: ["read"],
  usage: ["read"],
} as const satisfies Permissions;

const work = {
  task: ["read", "create", "cancel", "retry"],
  approval: ["read", "decide"],
  squad: ["read"],
  repository: ["read", "create"],
  usage: ["read"],
} as const satisfies Permissions;

const manage = {
  ...work,
  squad: ["read", "create", "update"],
  repository: ["read", "create", "update", "delete"],
  apiKey: ["create", "read", "update", "delete"],
  audit: ["read"],
  organization: ["update"],
  member: ["create", "update", "delete"],
  invitation: ["create", "cancel"],
  team: ["create", "update", "delete"],
  ac: ["create", "read", "update", "delete"],
} as const satisfies Permissions;

/**
 * The roles of an organization and what each may do:
 * - `owner`: everything, including deleting the organization;
 * - `admin`: everything but deleting the organization (members, invitations, API keys, squads'
 *   creation, policy and routing, repositories' settings and removal, audit log);
 * - `member`: the work (create, cancel and retry tasks, decide approvals, add repositories, read all);
 * - `viewer`: read only.
 */
export const roles = {
  owner: ac.newRole({ ...manage, organization: ["update", "delete"] }),
  admin: ac.newRole(manage),
  member: ac.newRole({ ...work, ac: ["read"] }),
  viewer: ac.newRole({ ...readAll, ac: ["read"] }),
};

export type RoleName = keyof typeof roles;
export const roleNames = Object.keys(roles) as RoleName[];

/** The permissions a role grants, as `{ resource: actions[] }` (an unknown role grants none). */
export function permissionsOf(role: string): Permissions {
  const r = roles[role as RoleName];
  return r ? (r.statements as Permissions) : {};
}

/**
 * True when `granted` includes every action of `required`. A member may hold several roles
 * (`"admin,member"`, better-auth's format): each role's grants count.
 */
export function allows(granted: Permissions, required: Permissions): boolean {
  return Object.entries(required).every(([resource, actions]) => {
    const have = (granted[resource as Resource] ?? []) as readonly string[];
    return (actions as readonly string[]).every((a) => have.includes(a));
  });
}

/** The union of the permissions of a member's roles (`"admin,member"` → both). */
export function permissionsOfRoles(role: string): Permissions {
  const out: Record<string, Set<string>> = {};
  for (const name of role.split(",").map((r) => r.trim())) {
    for (const [resource, actions] of Object.entries(permissionsOf(name))) {
      out[resource] ??= new Set();
      for (const a of actions as readonly string[]) out[resource].add(a);
    }
  }
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, [...v]])) as Permissions;
}

/** `granted` ∩ `limit`: an API key never does more than the member who made it may still do. */
export function intersectPermissions(granted: Permissions, limit: Permissions): Permissions {
  const out: Record<string, string[]> = {};
  for (const [resource, actions] of Object.entries(granted)) {
    const cap = (limit[resource as Resource] ?? []) as readonly string[];
    const kept = (actions as readonly string[]).filter((a) => cap.includes(a));
    if (kept.length) out[resource] = kept;
  }
  return out as Permissions;
}
