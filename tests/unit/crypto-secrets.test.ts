import { afterEach, describe, expect, jest, test } from "@jest/globals";

const AUTH_SECRET = "a".repeat(16) + "b".repeat(16) + "c".repeat(8);
const KEY = "k".repeat(40);

/** Fresh `lib/crypto/secrets` (and `lib/env`) for these environment variables. */
async function load(vars: { BETTER_AUTH_SECRET?: string; SECRETS_ENCRYPTION_KEY?: string }) {
  for (const name of ["BETTER_AUTH_SECRET", "SECRETS_ENCRYPTION_KEY"] as const) {
    if (vars[name] === undefined) delete process.env[name];
    else process.env[name] = vars[name];
  }
  jest.resetModules();
  return import("@/lib/crypto/secrets");
}

const saved = { BETTER_AUTH_SECRET: process.env.BETTER_AUTH_SECRET, SECRETS_ENCRYPTION_KEY: process.env.SECRETS_ENCRYPTION_KEY };
afterEach(() => {
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

describe("encryptSecret / decryptSecret", () => {
  test("round-trips; the ciphertext is not the plaintext and differs on every call", async () => {
    const { encryptSecret, decryptSecret } = await load({ BETTER_AUTH_SECRET: AUTH_SECRET });
    const secret = "0123456789abcdef".repeat(4);
    const a = await encryptSecret(secret);
    const b = await encryptSecret(secret);
    expect(a).not.toBe(secret);
    expect(a).not.toContain(secret);
    expect(a).not.toBe(b);
    expect(a).toMatch(/^\$ba\$1\$[0-9a-f]+$/);
    expect(await decryptSecret(a)).toBe(secret);
    expect(await decryptSecret(b)).toBe(secret);
    expect(await decryptSecret(await encryptSecret(""))).toBe("");
    expect(await decryptSecret(await encryptSecret("ünïcødé ✓"))).toBe("ünïcødé ✓");
  });

  test("a tampered ciphertext fails with an error naming the column, never the secret", async () => {
    const { encryptSecret, decryptSecret } = await load({ BETTER_AUTH_SECRET: AUTH_SECRET });
    const secret = "super-secret-webhook-value";
    const ciphertext = await encryptSecret(secret);
    const last = ciphertext.at(-1) === "0" ? "1" : "0";
    const tampered = ciphertext.slice(0, -1) + last;
    const error = await decryptSecret(tampered, "repositories.webhook_secret_encrypted").catch((e: unknown) => e);
    expect(error).toMatchObject({
      name: "AppError",
      code: "internal",
      message: "Cannot decrypt repositories.webhook_secret_encrypted: the key does not match or the value was altered",
    });
    expect(String((error as Error).message)).not.toContain(secret);
    await expect(decryptSecret(secret, "repositories.webhook_secret_encrypted")).rejects.toThrow(
      "Cannot decrypt repositories.webhook_secret_encrypted: it is not an encrypted value",
    );
  });

  test("another key cannot decrypt", async () => {
    const first = await load({ BETTER_AUTH_SECRET: AUTH_SECRET });
    const ciphertext = await first.encryptSecret("s3cret");
    const other = await load({ BETTER_AUTH_SECRET: "z".repeat(40) });
    await expect(other.decryptSecret(ciphertext, "x")).rejects.toThrow("Cannot decrypt x: the key does not match or the value was altered");
  });

  test("SECRETS_ENCRYPTION_KEY takes over; values written with the derived key stay readable", async () => {
    const derived = await load({ BETTER_AUTH_SECRET: AUTH_SECRET });
    const old = await derived.encryptSecret("old");
    const configured = await load({ BETTER_AUTH_SECRET: AUTH_SECRET, SECRETS_ENCRYPTION_KEY: KEY });
    const fresh = await configured.encryptSecret("new");
    expect(fresh).toMatch(/^\$ba\$2\$/);
    expect(await configured.decryptSecret(old)).toBe("old");
    expect(await configured.decryptSecret(fresh)).toBe("new");
    // Only the configured key: the derived-key value names what is missing.
    const keyOnly = await load({ SECRETS_ENCRYPTION_KEY: KEY });
    expect(await keyOnly.decryptSecret(fresh)).toBe("new");
    await expect(keyOnly.decryptSecret(old, "col")).rejects.toThrow(
      "Cannot decrypt col: it was encrypted with key version 1 (derived from BETTER_AUTH_SECRET), which is not configured",
    );
  });

  test("with no key configured it says which variables to set", async () => {
    const { encryptSecret } = await load({});
    await expect(encryptSecret("x")).rejects.toThrow(/SECRETS_ENCRYPTION_KEY nor BETTER_AUTH_SECRET/);
  });
});
