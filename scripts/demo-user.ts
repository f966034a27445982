import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";

const credentialsSchema = z.object({ email: z.email(), password: z.string().min(8), name: z.string() });
export type DemoCredentials = z.infer<typeof credentialsSchema>;

/**
 * Makes sure the demo user exists in the running app (signing up through better-auth's HTTP API) and
 * returns its credentials (`origin` is the app's public origin, which better-auth checks), kept in `<dataDir>/demo-credentials.json` so they stay the same across starts.
 */
export async function ensureDemoUser(appUrl: string, origin: string, dataDir: string): Promise<DemoCredentials> {
  const file = path.join(dataDir, "demo-credentials.json");
  let creds: DemoCredentials;
  if (existsSync(file)) {
    creds = credentialsSchema.parse(JSON.parse(readFileSync(file, "utf8")));
  } else {
    creds = { email: "demo@squadron.local", password: randomBytes(9).toString("base64url"), name: "Demo" };
  }
  const headers = { "content-type": "application/json", origin };
  const signIn = await fetch(`${appUrl}/api/auth/sign-in/email`, {
    method: "POST",
    headers,
    body: JSON.stringify({ email: creds.email, password: creds.password }),
  });
  if (!signIn.ok) {
    const signUp = await fetch(`${appUrl}/api/auth/sign-up/email`, { method: "POST", headers, body: JSON.stringify(creds) });
    if (!signUp.ok) throw new Error(`could not create the demo user: ${signUp.status} ${await signUp.text()}`);
  }
  writeFileSync(file, JSON.stringify(creds, null, 2), { mode: 0o600 });
  return creds;
}
