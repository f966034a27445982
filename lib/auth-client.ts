import { organizationClient } from "better-auth/client/plugins";
import { createAuthClient } from "better-auth/react";
import { ac, roles } from "@/lib/auth/permissions";

/**
 * The browser's better-auth client. No `baseURL`: in the browser it resolves to the page's own
 * origin + `/api/auth`, so the same build works on localhost, 127.0.0.1 and any deployed host.
 * The organization plugin gets Squadron's roles (owner, admin, member, viewer), so role names are
 * typed and `checkRolePermission` answers like the server.
 */
export const authClient = createAuthClient({
  plugins: [organizationClient({ ac, roles })],
});
