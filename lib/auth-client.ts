import { organizationClient } from "better-auth/client/plugins";
import { createAuthClient } from "better-auth/react";

/**
 * The browser's better-auth client. No `baseURL`: in the browser it resolves to the page's own
 * origin + `/api/auth`, so the same build works on localhost, 127.0.0.1 and any deployed host.
 */
export const authClient = createAuthClient({
  plugins: [organizationClient()],
});
