/**
 * `npm run emulator` (emulator/main.ts): flags and environment variables, what it prints, and a clean
 * stop on SIGTERM.
 */
import { strict as assert } from "node:assert";
import { spawn, type ChildProcess } from "node:child_process";
import * as path from "node:path";
import { cliOptions } from "../../emulator/main";
import { callApi } from "../helpers/http";

const repoRoot = path.resolve(__dirname, "..", "..");

describe("emulator CLI", function () {
  it("reads flags, and environment variables when a flag is absent", () => {
    const fromFlags = cliOptions(
      [
        "--port",
        "12345",
        "--api-key",
        "k",
        "--owner-id",
        "tea-x",
        "--state-dir",
        "/tmp/s",
        "--timings",
        "fast",
        "--no-rate-limits",
      ],
      { EMULATOR_API_KEY: "ignored" },
    );
    assert.deepEqual(fromFlags, {
      port: 12345,
      apiKey: "k",
      ownerId: "tea-x",
      stateDir: "/tmp/s",
      timings: "fast",
      rateLimits: { enabled: false },
    });
    const fromEnv = cliOptions([], {
      EMULATOR_PORT: "0",
      EMULATOR_API_KEY: "envkey",
      EMULATOR_OWNER_ID: "tea-y",
      EMULATOR_RATE_LIMITS: "off",
      EMULATOR_DATABASE_URL: "postgres://admin@127.0.0.1:54329/postgres",
    });
    assert.equal(fromEnv.port, 0);
    assert.equal(fromEnv.apiKey, "envkey");
    assert.equal(fromEnv.ownerId, "tea-y");
    assert.deepEqual(fromEnv.rateLimits, { enabled: false });
    assert.deepEqual(fromEnv.database, {
      kind: "postgres",
      url: "postgres://admin@127.0.0.1:54329/postgres",
    });
    assert.equal(cliOptions([], {}).port, 10000, "Render's default port for the local stack");
    assert.throws(() => cliOptions(["--timings", "slow"], {}), /timings/);
    assert.throws(() => cliOptions(["--port", "x"], {}), /port/);
    assert.throws(() => cliOptions(["--bogus"], {}), /bogus/);
  });

  it("prints base URL and key, serves, and stops cleanly on SIGTERM", async () => {
    const child: ChildProcess = spawn(
      process.execPath,
      ["--import", "tsx", "emulator/main.ts", "--port", "0", "--api-key", "rnd_cli_key", "--timings", "fast"],
      { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] },
    );
    try {
      let output = "";
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no URL printed: ${output}`)), 30_000);
        child.stdout!.on("data", (chunk: Buffer) => {
          output += chunk.toString();
          const match = /Render API emulator: (\S+)/.exec(output);
          if (match && output.includes("API key:")) {
            clearTimeout(timer);
            resolve(match[1]);
          }
        });
        child.on("exit", (code) => reject(new Error(`exited ${code}: ${output}`)));
      });
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/v1$/);
      assert.match(output, /API key: rnd_cli_key/);
      const owners = await callApi(url, "GET", "/owners", { apiKey: "rnd_cli_key" });
      assert.equal(owners.status, 200);
      const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
      child.kill("SIGTERM");
      assert.equal(await exit, 0);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  });
});
