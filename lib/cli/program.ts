import { hostname } from "node:os";
import { createInterface } from "node:readline/promises";
import { Command, CommanderError, Option } from "commander";
import { z } from "zod";
import { terminalTaskStatuses } from "@/lib/tasks/statuses";
import {
  approvalSchema,
  CliError,
  repositorySchema,
  squadSchema,
  SquadronClient,
  taskDetailSchema,
  taskPageSchema,
  taskSchema,
  type CliTaskDetail,
  type CliTaskEvent,
} from "./client";
import { configPath, readConfig, removeConfig, writeConfig } from "./config";
import { EXIT, exitCodeForTask } from "./exit-codes";

/** Where the CLI reads and writes; tests pass their own. */
export type CliIo = {
  env: Record<string, string | undefined>;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Reads all of standard input (for `login` piping a key or password). */
  readStdin: () => Promise<string>;
  /** True when standard output is a terminal: the progress line redraws in place then. */
  isTty: boolean;
};

const TERMINAL: ReadonlySet<string> = new Set(terminalTaskStatuses);
const DEFAULT_URL = "http://localhost:3000";

const EXIT_CODES_HELP = `
Exit codes:
  0  success; for a task that ended: delivered (a patch or pull request)
  1  error (the server refused the request or could not be reached)
  2  usage error (unknown command or option, missing argument, no API key)
  3  the task ended no_changes (the squad wrote no code)
  4  the task ended failed
  5  the task ended cancelled or rejected
  6  the task waits for a person's approval (squad approve <task id>)`;

const AUTH_HELP = `
Authentication: an API key (create one under Settings → API keys, or with \`squad login --email\`),
from SQUADRON_API_KEY or the file \`squad login\` writes (SQUADRON_CONFIG, default
~/.config/squadron/config.json). Server: --url, SQUADRON_URL, the saved URL, or ${DEFAULT_URL}.`;

const usd = (micros: number) => `$${(micros / 1_000_000).toFixed(micros < 10_000 ? 4 : 2)}`;

/** `12:01:02  developer       message [status]` */
export function formatEvent(e: CliTaskEvent): string {
  const time = new Date(e.createdAt).toISOString().slice(11, 19);
  const status = typeof e.data.subtaskStatus === "string" ? ` [${e.data.subtaskStatus}]` : typeof e.data.status === "string" ? ` [${e.data.status}]` : "";
  const offline = e.data.offline === true ? " (offline model)" : "";
  return `${time}  ${e.actor.padEnd(15)} ${e.message}${status}${offline}`;
}

/** `[██████░░░░] 3/5 subtasks · running · $0.0123` */
export function formatProgress(task: CliTaskDetail): string {
  const total = task.subtasks.length;
  const done = task.subtasks.filter((s) => TERMINAL.has(s.status) || s.status === "blocked").length;
  const width = 10;
  const filled = total === 0 ? 0 : Math.round((done / total) * width);
  const bar = `[${"█".repeat(filled)}${"░".repeat(width - filled)}]`;
  const cost = task.usage ? ` · ${usd(task.usage.costUsdMicros)}` : "";
  return `${bar} ${done}/${total} subtasks · ${task.status}${task.outcome ? ` (${task.outcome})` : ""}${cost}`;
}

function printTaskLine(out: (t: string) => void, t: z.infer<typeof taskSchema>) {
  out(`${t.id}  ${(t.outcome ?? t.status).padEnd(18)} ${t.source.padEnd(7)} ${t.title}\n`);
}

/**
 * Builds the `squad` program. Every command has `--help`; errors print one `squad: …` line.
 * `runCli` is the entry point; this is exported for docs and tests.
 */
export function buildProgram(io: CliIo, setExit: (code: number) => void): Command {
  const program = new Command("squad")
    .description("Drive a running Squadron from the terminal: start tasks, follow them live, decide approvals.")
    .option("--url <url>", "Squadron's base URL (default: SQUADRON_URL, the saved URL, or http://localhost:3000)")
    .showHelpAfterError("(run with --help for usage)")
    .addHelpText("after", `${AUTH_HELP}\n${EXIT_CODES_HELP}`)
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .exitOverride();

  const config = () => readConfig(configPath(io.env));
  const baseUrl = () => (program.opts<{ url?: string }>().url || io.env.SQUADRON_URL || config().url || DEFAULT_URL).replace(/\/+$/, "");
  const client = () => {
    const apiKey = io.env.SQUADRON_API_KEY || config().apiKey;
    if (!apiKey) throw new CliError("no API key: set SQUADRON_API_KEY or run `squad login` (create a key under Settings → API keys)", EXIT.usage);
    return new SquadronClient(baseUrl(), apiKey);
  };
  const json = (value: unknown) => io.stdout(`${JSON.stringify(value, null, 2)}\n`);
  const jsonOption = () => new Option("--json", "print JSON for scripts instead of text");

  async function resolveId(kind: "repository" | "squad", value: string | undefined): Promise<string | undefined> {
    if (!value) return undefined;
    const c = client();
    const items =
      kind === "repository"
        ? await c.request("/api/v1/repositories", z.array(repositorySchema))
        : await c.request("/api/v1/squads", z.array(squadSchema));
    const match = items.find((i) => i.id === value) ?? items.filter((i) => i.name.toLowerCase() === value.toLowerCase())[0];
    if (!match) throw new CliError(`no ${kind} "${value}" in this organization (see \`squad ${kind === "repository" ? "repos" : "squads"}\`)`, EXIT.usage);
    return match.id;
  }

  /** Prints the task's events until it ends (or waits for approval); returns the final detail. */
  async function follow(taskId: string, opts: { json?: boolean; waitApproval?: boolean }): Promise<CliTaskDetail> {
    const c = client();
    const detail = () => c.request(`/api/v1/tasks/${encodeURIComponent(taskId)}`, taskDetailSchema);
    let last = await detail();
    let progressShown = false;
    const clearProgress = () => {
      if (progressShown && io.isTty) io.stdout("\r\x1b[2K");
      progressShown = false;
    };
    // Waiting counts only while an approval is pending: right after a decision the status still says so.
    const stop = (task: CliTaskDetail) =>
      TERMINAL.has(task.status) || (task.status === "awaiting_approval" && !opts.waitApproval && task.approvals.some((a) => a.status === "pending"));
    if (stop(last)) return last;
    await c.streamEvents(taskId, async (event) => {
      if (opts.json) io.stdout(`${JSON.stringify(event)}\n`);
      else {
        clearProgress();
        io.stdout(`${formatEvent(event)}\n`);
      }
      // Status changes come as `status` events, and a wait for a person as an `approval` event with the status.
      if (event.type !== "status" && typeof event.data.status !== "string") return false;
      last = await detail();
      if (!opts.json) {
        // On a terminal the progress line redraws in place; in a pipe it is one line per status change.
        io.stdout(io.isTty ? formatProgress(last) : `${formatProgress(last)}\n`);
        progressShown = true;
      }
      return stop(last);
    });
    clearProgress();
    return last;
  }

  function finish(task: CliTaskDetail, opts: { json?: boolean }) {
    if (opts.json) json(task);
    else {
      const url = `${baseUrl()}/tasks/${task.id}`;
      if (task.status === "awaiting_approval") {
        const pending = task.approvals.find((a) => a.status === "pending");
        io.stdout(`Task ${task.id} waits for approval${pending ? ` (${pending.kind}: ${pending.reason})` : ""}: squad approve ${task.id}\n  ${url}\n`);
      } else io.stdout(`Task ${task.id} ${task.outcome ?? task.status}${task.error ? `: ${task.error}` : ""}\n  ${url}\n`);
    }
    setExit(exitCodeForTask(task));
  }

  program
    .command("login")
    .description("Save an API key (and the server URL) in your config file, after checking it works")
    .option("--key <key>", "the API key (default: read from standard input)")
    .option("--email <email>", "instead of a key: sign in once with this e-mail (password from SQUADRON_PASSWORD or standard input) and create a key")
    .action(async (opts: { key?: string; email?: string }) => {
      const url = baseUrl();
      let key = opts.key?.trim();
      if (!key && opts.email) {
        const password = io.env.SQUADRON_PASSWORD || (await io.readStdin()).trim();
        if (!password) throw new CliError("no password: set SQUADRON_PASSWORD or pipe it on standard input", EXIT.usage);
        key = await createKeyWithPassword(url, opts.email, password);
      }
      key ??= (await io.readStdin()).trim();
      if (!key) throw new CliError("no key given: pass --key <key>, pipe it on standard input, or use --email", EXIT.usage);
      await new SquadronClient(url, key).request("/api/v1/tasks?limit=1", taskPageSchema);
      const file = configPath(io.env);
      writeConfig(file, { ...config(), url, apiKey: key });
      io.stdout(`Logged in to ${url}; key saved in ${file}\n`);
    });

  program
    .command("logout")
    .description("Remove the saved API key and URL")
    .action(() => {
      const file = configPath(io.env);
      removeConfig(file);
      io.stdout(`Removed ${file}\n`);
    });

  program
    .command("run")
    .description("Create a task for the squad (and follow it with --follow)")
    .argument("<title...>", "what the squad should do")
    .option("-d, --description <text>", "details (Markdown)", "")
    .option("--repository <id or name>", "the repository to work in (see `squad repos`)")
    .option("--squad <id or name>", "the squad to assign (see `squad squads`; default: the organization's default)")
    .option("--budget <usd>", "the most the task may spend, in USD")
    .option("-f, --follow", "print live progress until the task ends; exit with its outcome's code")
    .option("--wait-approval", "with --follow: keep following while it waits for approval instead of exiting 6")
    .addOption(jsonOption())
    .action(async (titleWords: string[], opts: { description: string; repository?: string; squad?: string; budget?: string; follow?: boolean; waitApproval?: boolean; json?: boolean }) => {
      let budgetUsdMicros: number | undefined;
      if (opts.budget !== undefined) {
        const parsed = z.coerce.number().positive().safeParse(opts.budget);
        if (!parsed.success) throw new CliError(`--budget must be a positive number of USD, got "${opts.budget}"`, EXIT.usage);
        budgetUsdMicros = Math.round(parsed.data * 1_000_000);
      }
      const [repositoryId, squadId] = [await resolveId("repository", opts.repository), await resolveId("squad", opts.squad)];
      const task = await client().request("/api/v1/tasks", taskSchema, {
        method: "POST",
        body: { title: titleWords.join(" "), description: opts.description, ...(repositoryId ? { repositoryId } : {}), ...(squadId ? { squadId } : {}), ...(budgetUsdMicros ? { budgetUsdMicros } : {}) },
      });
      if (!opts.follow) {
        if (opts.json) json(task);
        else io.stdout(`Task ${task.id} ${task.status}: ${task.title}\n  ${baseUrl()}/tasks/${task.id}\n`);
        return;
      }
      if (!opts.json) io.stdout(`Task ${task.id} ${task.status}: ${task.title}\n`);
      finish(await follow(task.id, opts), opts);
    });

  program
    .command("list")
    .description("The organization's tasks, newest first")
    .option("--repository <id or name>", "only tasks of this repository")
    .option("--squad <id or name>", "only tasks of this squad")
    .option("--status <statuses>", "only these statuses (comma-separated, e.g. running,awaiting_approval)")
    .option("--outcome <outcomes>", "only these outcomes (comma-separated: delivered,no_changes,failed,cancelled,rejected)")
    .option("-n, --limit <n>", "at most this many (1–100)", "50")
    .addOption(jsonOption())
    .action(async (opts: { repository?: string; squad?: string; status?: string; outcome?: string; limit: string; json?: boolean }) => {
      const query = new URLSearchParams({ limit: opts.limit });
      const repositoryId = await resolveId("repository", opts.repository);
      const squadId = await resolveId("squad", opts.squad);
      if (repositoryId) query.set("repositoryId", repositoryId);
      if (squadId) query.set("squadId", squadId);
      if (opts.status) query.set("status", opts.status);
      if (opts.outcome) query.set("outcome", opts.outcome);
      const page = await client().request(`/api/v1/tasks?${query}`, taskPageSchema);
      if (opts.json) return json(page.items);
      if (page.items.length === 0) io.stdout("No tasks.\n");
      for (const t of page.items) printTaskLine(io.stdout, t);
    });

  program
    .command("follow")
    .description("Print a task's live progress until it ends; exit with its outcome's code")
    .argument("<task id>")
    .option("--wait-approval", "keep following while it waits for approval instead of exiting 6")
    .addOption(new Option("--json", "print each event as a JSON line, then the task"))
    .action(async (taskId: string, opts: { waitApproval?: boolean; json?: boolean }) => finish(await follow(taskId, opts), opts));

  program
    .command("show")
    .description("A task: status, outcome, subtasks, cost and pending approvals")
    .argument("<task id>")
    .option("--exit-status", "exit with the code of the task's outcome (see below)")
    .addOption(jsonOption())
    .action(async (taskId: string, opts: { json?: boolean; exitStatus?: boolean }) => {
      const task = await client().request(`/api/v1/tasks/${encodeURIComponent(taskId)}`, taskDetailSchema);
      if (opts.json) json(task);
      else {
        io.stdout(`${task.title}\n${task.id}  ${task.status}${task.outcome ? ` · ${task.outcome}` : ""} · ${task.source}\n`);
        if (task.error) io.stdout(`error: ${task.error}\n`);
        if (task.usage) io.stdout(`cost: ${usd(task.usage.costUsdMicros)} · ${task.usage.inputTokens + task.usage.outputTokens} tokens in ${task.usage.calls} model calls\n`);
        if (task.subtasks.length > 0) io.stdout(`${formatProgress(task)}\n`);
        for (const s of task.subtasks) io.stdout(`  ${(s.key ?? "").padEnd(4)} ${s.status.padEnd(18)} ${(s.role ?? "").padEnd(16)} ${s.title}\n`);
        for (const a of task.approvals.filter((x) => x.status === "pending")) io.stdout(`approval ${a.id} waits (${a.kind}): ${a.reason}\n`);
        io.stdout(`${baseUrl()}/tasks/${task.id}\n`);
      }
      if (opts.exitStatus) setExit(exitCodeForTask(task));
    });

  program
    .command("diff")
    .description("Print the patch a task produced (unified diff); exit 3 when it has none")
    .argument("<task id>")
    .action(async (taskId: string) => {
      const task = await client().request(`/api/v1/tasks/${encodeURIComponent(taskId)}`, taskDetailSchema);
      const patch = task.artifacts.find((a) => a.kind === "patch");
      if (!patch) {
        io.stderr(`squad: task ${task.id} has no patch (${task.outcome ?? task.status})\n`);
        return setExit(EXIT.noChanges);
      }
      io.stdout(patch.content.endsWith("\n") ? patch.content : `${patch.content}\n`);
    });

  program
    .command("cancel")
    .description("Cancel a task; its run stops between steps")
    .argument("<task id>")
    .option("-r, --reason <text>", "why (shown on the task)")
    .addOption(jsonOption())
    .action(async (taskId: string, opts: { reason?: string; json?: boolean }) => {
      const task = await client().request(`/api/v1/tasks/${encodeURIComponent(taskId)}/cancel`, taskSchema, { method: "POST", body: opts.reason ? { reason: opts.reason } : {} });
      if (opts.json) json(task);
      else io.stdout(`Task ${task.id} ${task.status}\n`);
    });

  program
    .command("retry")
    .description("Run a failed or cancelled task again (and follow it with --follow)")
    .argument("<task id>")
    .option("-f, --follow", "print live progress until the task ends; exit with its outcome's code")
    .option("--wait-approval", "with --follow: keep following while it waits for approval")
    .addOption(jsonOption())
    .action(async (taskId: string, opts: { follow?: boolean; waitApproval?: boolean; json?: boolean }) => {
      const task = await client().request(`/api/v1/tasks/${encodeURIComponent(taskId)}/retry`, taskSchema, { method: "POST", body: {} });
      if (!opts.follow) {
        if (opts.json) json(task);
        else io.stdout(`Task ${task.id} ${task.status} (retry)\n`);
        return;
      }
      finish(await follow(task.id, opts), opts);
    });

  for (const decision of ["approve", "reject"] as const) {
    program
      .command(decision)
      .description(decision === "approve" ? "Approve what a task waits for (its pending approval), optionally with instructions" : "Reject a task's pending approval; the task ends rejected")
      .argument("<task or approval id>", "a task id (its pending approval is decided) or an approval id")
      .option("-m, --comment <text>", decision === "approve" ? "instructions for the squad" : "the reason (shown on the task)")
      .addOption(jsonOption())
      .action(async (id: string, opts: { comment?: string; json?: boolean }) => {
        const c = client();
        const pending = await c.request("/api/v1/approvals?status=pending&limit=200", z.array(approvalSchema));
        const approval = pending.find((a) => a.id === id) ?? pending.find((a) => a.taskId === id);
        if (!approval) throw new CliError(`nothing pending for ${id}: no pending approval with that id or task id (see \`squad show <task id>\`)`);
        const decided = await c.request(`/api/v1/approvals/${encodeURIComponent(approval.id)}/decision`, approvalSchema, {
          method: "POST",
          body: { decision, ...(opts.comment ? { comment: opts.comment } : {}) },
        });
        if (opts.json) json(decided);
        else io.stdout(`${decision === "approve" ? "Approved" : "Rejected"} ${decided.kind} of task ${decided.taskId} (approval ${decided.id})\n`);
      });
  }

  program
    .command("repos")
    .description("The organization's repositories (ids and names for --repository)")
    .addOption(jsonOption())
    .action(async (opts: { json?: boolean }) => {
      const repos = await client().request("/api/v1/repositories", z.array(repositorySchema));
      if (opts.json) return json(repos);
      if (repos.length === 0) io.stdout("No repositories.\n");
      for (const r of repos) io.stdout(`${r.id}  ${r.name.padEnd(24)} ${r.githubFullName ?? r.localPath ?? ""}\n`);
    });

  program
    .command("squads")
    .description("The organization's squads (ids and names for --squad) with their agents' roles")
    .addOption(jsonOption())
    .action(async (opts: { json?: boolean }) => {
      const squads = await client().request("/api/v1/squads", z.array(squadSchema));
      if (opts.json) return json(squads);
      for (const s of squads) io.stdout(`${s.id}  ${s.name.padEnd(24)} ${s.autonomy.padEnd(15)} ${s.agents.map((a) => a.role).join(", ")}\n`);
    });

  return program;
}

/** Signs in once with e-mail and password and creates an API key for this machine; returns the key. */
async function createKeyWithPassword(url: string, email: string, password: string): Promise<string> {
  let res: Response;
  try {
    res = await fetch(`${url}/api/auth/sign-in/email`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: url },
      body: JSON.stringify({ email, password }),
    });
  } catch (error) {
    throw new CliError(`cannot reach ${url}: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!res.ok) throw new CliError(`sign-in as ${email} failed (HTTP ${res.status})`);
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  const created = await new SquadronClient(url, undefined).request("/api/v1/api-keys", z.object({ key: z.string() }), {
    method: "POST",
    headers: { cookie, origin: url },
    body: { name: `squad CLI (${hostname()})` },
  });
  return created.key;
}

/**
 * Runs `squad <argv>` and resolves to its exit code ({@link EXIT}); never throws and never calls
 * `process.exit`, so it runs in-process in tests.
 */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let code: number = EXIT.ok;
  const program = buildProgram(io, (c) => {
    code = c;
  });
  try {
    await program.parseAsync(argv, { from: "user" });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version are exit code 0; unknown options and missing arguments are usage errors
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    io.stderr(`squad: ${error instanceof Error ? error.message : String(error)}\n`);
    return error instanceof CliError ? error.exitCode : EXIT.error;
  }
}

/** Reads standard input to its end; asks on the terminal (hidden input is not available) when it is one. */
export async function readProcessStdin(): Promise<string> {
  if (process.stdin.isTTY) {
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    try {
      return await rl.question("API key or password: ");
    } finally {
      rl.close();
    }
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString("utf8");
}
