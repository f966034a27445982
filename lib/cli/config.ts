import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import { z } from "zod";

/** What `squad login` stores: the server's base URL and an API key for it. */
export const cliConfigSchema = z.object({
  url: z.url().optional(),
  apiKey: z.string().min(1).optional(),
});
export type CliConfig = z.infer<typeof cliConfigSchema>;

/**
 * The CLI's config file: `$SQUADRON_CONFIG` if set, else `$XDG_CONFIG_HOME/squadron/config.json`,
 * else `~/.config/squadron/config.json` (the XDG base-directory default).
 */
export function configPath(env: Record<string, string | undefined>): string {
  if (env.SQUADRON_CONFIG) return path.resolve(env.SQUADRON_CONFIG);
  const base = env.XDG_CONFIG_HOME || path.join(env.HOME || homedir(), ".config");
  return path.join(base, "squadron", "config.json");
}

/**
 * Reads the config file; a missing file is an empty config.
 * @throws Error naming the file when it is not valid JSON of {@link cliConfigSchema}
 */
export function readConfig(file: string): CliConfig {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return {};
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`${file} is not valid JSON; fix it or run \`squad logout\``);
  }
  const parsed = cliConfigSchema.safeParse(json);
  if (!parsed.success) throw new Error(`${file} is not a squad config (${parsed.error.issues[0]?.message}); run \`squad logout\``);
  return parsed.data;
}

/** Writes the config file readable by its owner only (mode 0600), creating its directory. */
export function writeConfig(file: string, config: CliConfig): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
}

/** Removes the config file (no error when there is none). */
export function removeConfig(file: string): void {
  rmSync(file, { force: true });
}
