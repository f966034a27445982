import { hkdfSync } from "node:crypto";
import { symmetricDecrypt, symmetricEncrypt, type SecretConfig } from "better-auth/crypto";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";

// Secrets Squadron stores (today: each repository's webhook secret, `repositories.webhook_secret_encrypted`)
// are encrypted at rest with better-auth's symmetric encryption: XChaCha20-Poly1305 (authenticated, so a
// changed ciphertext fails to decrypt) with a random nonce per value, keyed by SHA-256 of the key below.
//
// Ciphertexts carry their key version (`$ba$<version>$<hex>`, better-auth's envelope):
// - version 1: a key derived (HKDF-SHA-256) from BETTER_AUTH_SECRET, used while SECRETS_ENCRYPTION_KEY is unset;
// - version 2: SECRETS_ENCRYPTION_KEY.
// Setting SECRETS_ENCRYPTION_KEY later keeps version-1 values readable as long as BETTER_AUTH_SECRET
// stays the same; new values are written with version 2.

/** Key version of values encrypted with the key derived from BETTER_AUTH_SECRET. */
const DERIVED_VERSION = 1;
/** Key version of values encrypted with SECRETS_ENCRYPTION_KEY. */
const CONFIGURED_VERSION = 2;

/** The secrets key derived from BETTER_AUTH_SECRET (domain-separated from better-auth's own uses of it). */
function deriveFromAuthSecret(authSecret: string): string {
  return Buffer.from(hkdfSync("sha256", authSecret, "squadron", "squadron secrets encryption v1", 32)).toString("hex");
}

/** The keys for `better-auth/crypto`, read when needed (so builds and imports need no secret). */
function secretConfig(): SecretConfig {
  const keys = new Map<number, string>();
  if (env.BETTER_AUTH_SECRET) keys.set(DERIVED_VERSION, deriveFromAuthSecret(env.BETTER_AUTH_SECRET));
  if (env.SECRETS_ENCRYPTION_KEY) keys.set(CONFIGURED_VERSION, env.SECRETS_ENCRYPTION_KEY);
  if (keys.size === 0) {
    throw new Error(
      "Neither SECRETS_ENCRYPTION_KEY nor BETTER_AUTH_SECRET is set, so stored secrets cannot be encrypted or decrypted. " +
        "Run the app with `npm start` (which fills BETTER_AUTH_SECRET in) or set SECRETS_ENCRYPTION_KEY in .env.",
    );
  }
  return { keys, currentVersion: env.SECRETS_ENCRYPTION_KEY ? CONFIGURED_VERSION : DERIVED_VERSION };
}

/**
 * Encrypts a secret for storage (a `*_encrypted` column).
 * @returns `$ba$<key version>$<hex>`; a new random nonce each call, so equal secrets differ
 * @throws Error when neither SECRETS_ENCRYPTION_KEY nor BETTER_AUTH_SECRET is set
 */
export async function encryptSecret(plaintext: string): Promise<string> {
  return symmetricEncrypt({ key: secretConfig(), data: plaintext });
}

/**
 * Decrypts a value written by {@link encryptSecret}.
 * @param ciphertext the stored value
 * @param column what it is, for the error message (e.g. `repositories.webhook_secret_encrypted`); never the value
 * @throws AppError `internal` naming `column` when the value was changed, is not a ciphertext, or was
 *   written with a key this deployment no longer has (SECRETS_ENCRYPTION_KEY or BETTER_AUTH_SECRET changed)
 */
export async function decryptSecret(ciphertext: string, column = "secret"): Promise<string> {
  const config = secretConfig();
  try {
    return await symmetricDecrypt({ key: config, data: ciphertext });
  } catch {
    const version = /^\$ba\$(\d+)\$/.exec(ciphertext)?.[1];
    const reason =
      version === undefined
        ? "it is not an encrypted value"
        : !config.keys.has(Number(version))
          ? `it was encrypted with key version ${version} (${Number(version) === CONFIGURED_VERSION ? "SECRETS_ENCRYPTION_KEY" : "derived from BETTER_AUTH_SECRET"}), which is not configured`
          : "the key does not match or the value was altered";
    throw new AppError("internal", `Cannot decrypt ${column}: ${reason}`);
  }
}
