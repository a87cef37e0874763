// Runs the app's migration command with the database's connection string hidden from everything it
// prints. The interpreter of the migrations' `command.local.Command` (components/migrations/resource.ts):
//
//   node runMigrations.js --secret-env=DATABASE_URL,DIRECT_URL --timeout-ms=600000 --database=dpg-… '<command>'
//
// Plain JavaScript, run by `node` in the app's checkout: the command provider has no TypeScript loader.
//
// Why it exists: `local.Command` passes `environment` to the command as given and keeps no secret out
// of what the command prints. Its `logging` option only chooses which streams become log lines; the
// error of a failed command carries the whole stdout and stderr whatever `logging` says, and its
// `stdout` and `stderr` outputs are stored in state. So the command's two streams are redacted here,
// line by line, before the provider sees a byte: the value of each named variable, and the password
// of a connection string (as written and URL-decoded), become `[secret]`. It also stops the command
// and whatever it started after --timeout-ms (local.Command would leave the children running), and
// ends a failure with one line naming the database, the command and the folder.
"use strict";
const { spawn } = require("node:child_process");

/** The strings to hide for one secret value: the value, and the password of a URL (raw and decoded). */
function secretsOf(value) {
  const out = [value];
  try {
    const url = new URL(value);
    if (url.password) out.push(url.password, decodeURIComponent(url.password));
  } catch {
    // Not a URL: the whole value is hidden.
  }
  // Shorter strings would hide ordinary words; a generated password is far longer.
  return out.filter((s) => s.length >= 4);
}

/** Every secret of the values, unique, longest first (so a URL is hidden whole, not around its password). */
function secretsOfAll(values) {
  return [...new Set(values.filter(Boolean).flatMap(secretsOf))].sort((a, b) => b.length - a.length);
}

/** `text` with each secret replaced by `[secret]`. */
function redact(text, secrets) {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join("[secret]");
  return out;
}

/**
 * A stream filter: `push` text as it comes, `end` at the close. Whole lines are written redacted; a line
 * longer than `maxLine` is written in pieces cut where no secret straddles the cut.
 */
function lineRedactor(secrets, write, maxLine = 64 * 1024) {
  let carry = "";
  const longest = secrets.reduce((n, s) => Math.max(n, s.length), 0);
  return {
    push(chunk) {
      carry += chunk;
      const newline = carry.lastIndexOf("\n");
      if (newline >= 0) {
        write(redact(carry.slice(0, newline + 1), secrets));
        carry = carry.slice(newline + 1);
      }
      if (carry.length > maxLine) {
        let cut = carry.length - longest;
        for (const secret of secrets)
          for (let at = carry.indexOf(secret); at >= 0; at = carry.indexOf(secret, at + 1))
            if (at < cut && at + secret.length > cut) cut = at;
        write(redact(carry.slice(0, cut), secrets));
        carry = carry.slice(cut);
      }
    },
    end() {
      if (carry) write(redact(carry, secrets));
      carry = "";
    },
  };
}

/** `--name=value` options, then the command (the last argument, as local.Command appends it). */
function parseArgs(argv) {
  const options = {};
  for (const arg of argv.slice(0, -1)) {
    const match = /^--([a-z-]+)=(.*)$/s.exec(arg);
    if (!match) throw new Error(`unknown argument ${JSON.stringify(arg)}: expected --name=value`);
    options[match[1]] = match[2];
  }
  return { options, command: argv[argv.length - 1] };
}

function main(argv) {
  const { options, command } = parseArgs(argv);
  if (!command) throw new Error("no command given");
  const names = (options["secret-env"] ?? "").split(",").filter(Boolean);
  const secrets = secretsOfAll(names.map((name) => process.env[name]));
  const timeoutMs = Number(options["timeout-ms"] ?? 10 * 60_000);
  const what = options.database ? `the migrations of database ${options.database}` : "the migrations";
  const out = lineRedactor(secrets, (s) => process.stdout.write(s));
  const err = lineRedactor(secrets, (s) => process.stderr.write(s));
  const windows = process.platform === "win32";
  // Own process group (not on Windows): the timeout and a signal stop the command and its children.
  const child = spawn(command, { shell: true, detached: !windows, stdio: ["ignore", "pipe", "pipe"] });
  const stop = (signal) => {
    try {
      if (windows) child.kill(signal);
      else process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  };
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    stop("SIGKILL");
  }, timeoutMs);
  for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => stop(signal));
  child.stdout.setEncoding("utf8").on("data", (s) => out.push(s));
  child.stderr.setEncoding("utf8").on("data", (s) => err.push(s));
  const finish = (how, code) => {
    clearTimeout(timer);
    out.end();
    err.end();
    if (code !== 0)
      process.stderr.write(
        redact(
          `\ncould not run ${what}: \`${command}\` in ${process.cwd()} ${how}. Nothing was deployed.\n`,
          secrets,
        ),
      );
    process.exitCode = code;
  };
  child.once("error", (error) => finish(`could not start: ${error.message}`, 127));
  child.once("close", (code, signal) => {
    // Named as the migrations step's setting: the runner's arguments are in every stack's state (its
    // interpreter), so a program's config key cannot be added to them without running the migrations again.
    if (timedOut) finish(`was stopped after ${timeoutMs} ms (the migrations step's timeoutMs)`, 124);
    else if (code === null) finish(`was stopped (${signal})`, 128);
    else finish(`exited ${code}`, code);
  });
}

module.exports = { secretsOf, secretsOfAll, redact, lineRedactor, parseArgs };

if (require.main === module) {
  try {
    main(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`runMigrations.js: ${error.message}\n`);
    process.exitCode = 2;
  }
}
