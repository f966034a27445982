// `npm run squad -- <command>` (documented as `squad`): drive a running Squadron over its REST API
// with an API key. `npm run squad -- --help` lists the commands; lib/cli/program.ts defines them.
import { readProcessStdin, runCli } from "@/lib/cli/program";

process.exitCode = await runCli(process.argv.slice(2), {
  env: process.env,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  readStdin: readProcessStdin,
  isTty: Boolean(process.stdout.isTTY),
});
