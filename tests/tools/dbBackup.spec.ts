/**
 * `npm run db:backup`'s logic in-process (tools/dbBackupRun.ts, dbBackupArchive.ts, dbBackupFiles.ts) against
 * the in-process emulator: one export asked for, waited for, downloaded into a 0600 file that appears only once
 * checked, its tables listed, its expiry on Render; a lost answer to the request followed without a second
 * export; a damaged or interrupted download leaving nothing; a database that is not available and an output
 * folder inside a checkout refused before any write. On a PostgreSQL server when EMULATOR_TEST_PG_URL is set
 * (Render's format: a pg_dump directory archive, read by pg_restore); on PGlite (the emulator's default backend,
 * whose exports are PGlite data directories) without it, or with RELIABILITY_FULL set. The command itself,
 * through `npm run`, is tests/engine/databaseSafetyNet.spec.ts.
 */
import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Client } from "pg";
import type { RunningEmulator } from "../../emulator";
import type { DatabaseBackendOptions } from "../../emulator/databases";
import { RenderClient } from "../../components/render/client";
import { inspectBackup, parseRestoreList, readTarGz } from "../../tools/dbBackupArchive";
import { checkOutDir, defaultOutDir, toolRepository } from "../../tools/dbBackupFiles";
import { backupDatabase, formatBackupReport, type BackupOptions } from "../../tools/dbBackupRun";
import { apiOf, control, eventually, expectStatus, start, type Api } from "../emulator/harness";

const DAY = 24 * 3_600_000;

interface Logged {
  method: string;
  path: string;
  status: number;
}

/** The tests on one backend. */
function suite(label: string, database: DatabaseBackendOptions | undefined) {
  describe(`tools: db:backup's logic against the emulator (${label})`, function () {
    // The first PGlite start of a process runs initdb: seconds on a busy machine.
    this.timeout(120_000);
    let emu: RunningEmulator;
    let api: Api;
    let client: RenderClient;
    let work: string;
    let stateDir: string;
    let databaseId = "";
    let databaseName = "";

    const outDir = (name: string) => path.join(work, name);
    const requests = async () => (await control(emu, "GET", "/requests")) as Logged[];
    const exportPosts = async () =>
      (await requests()).filter((r) => r.method === "POST" && r.path.endsWith("/export"));
    const run = (name: string, extra: Partial<BackupOptions> = {}) =>
      backupDatabase({
        client,
        databaseId,
        stack: "test",
        outDir: outDir(name),
        log: () => undefined,
        pollIntervalMs: 200,
        ...extra,
      });

    before(async () => {
      work = fs.mkdtempSync(path.join(os.tmpdir(), "db-backup-spec-"));
      stateDir = path.join(work, "emulator");
      emu = await start({ stateDir, ...(database ? { database } : {}) });
      api = apiOf(emu);
      client = new RenderClient({ apiKey: emu.apiKey, baseUrl: emu.url, budget: false });
      const created = await api("POST", "/postgres", {
        name: "backup-db",
        ownerId: emu.ownerId,
        plan: "basic_256mb",
        version: "16",
      });
      expectStatus(created, 201);
      ({ id: databaseId, databaseName } = created.body as { id: string; databaseName: string });
      await eventually(
        async () =>
          ((await api("GET", `/postgres/${databaseId}`)).body as { status: string }).status === "available",
        "database available",
        90_000,
      );
      const info = (await api("GET", `/postgres/${databaseId}/connection-info`)).body as {
        externalConnectionString: string;
      };
      const pg = new Client({ connectionString: info.externalConnectionString, ssl: { ca: emu.caCert } });
      await pg.connect();
      try {
        await pg.query("CREATE TABLE notes (id int PRIMARY KEY, body text)");
        await pg.query('CREATE TABLE "odd name" (x int)');
        await pg.query("INSERT INTO notes VALUES (1, 'written before the export')");
      } finally {
        await pg.end();
      }
    });

    after(async () => {
      await client?.close();
      if (database?.kind === "postgres") await control(emu, "POST", "/reset");
      await emu?.close();
      if (work) fs.rmSync(work, { recursive: true, force: true });
    });

    it("one export, downloaded into a 0600 file that holds the tables, with its expiry 7 days after the export", async () => {
      await control(emu, "DELETE", "/requests");
      const lines: string[] = [];
      const result = await run("ok", { log: (line) => lines.push(line) });

      assert.equal(path.dirname(result.file), outDir("ok"));
      assert.match(
        path.basename(result.file),
        new RegExp(`^test-${databaseName}-\\d{8}T\\d{6}Z\\.dir\\.tar\\.gz$`),
      );
      // Only the backup in the folder: no temp file left.
      assert.deepEqual(fs.readdirSync(outDir("ok")), [path.basename(result.file)]);
      const stat = fs.statSync(result.file);
      assert.equal(stat.mode & 0o777, 0o600);
      assert.equal(stat.size, result.bytes);
      assert.equal(fs.statSync(outDir("ok")).mode & 0o777, 0o700);

      // The export is the one Render lists, and its expiry is its creation + 7 days.
      const listed = (await api("GET", `/postgres/${databaseId}/export`)).body as {
        id: string;
        createdAt: string;
      }[];
      const mine = listed.find((e) => e.id === result.exportId);
      assert.ok(mine, `export ${result.exportId} not listed`);
      assert.equal(result.createdAt, mine.createdAt);
      assert.equal(Date.parse(result.expiresAt) - Date.parse(result.createdAt), 7 * DAY);
      assert.equal((await exportPosts()).length, 1);

      assert.deepEqual(
        result.inspection.tables.map((t) => `${t.schema}.${t.name}`),
        ["public.notes", "public.odd name"],
      );
      const report = formatBackupReport(result);
      assert.ok(report.startsWith(`Backup of stack test: ${result.file}\n`), report);
      assert.match(
        report,
        new RegExp(`Render keeps it until ${result.expiresAt.replace(/\./g, "\\.")} \\(7 days\\)`),
      );
      assert.match(report, /^ {4}public\.notes$/m);
      assert.ok(
        lines.some((l) => l.startsWith("Asking Render for an export")),
        lines.join("\n"),
      );
      assert.ok(
        lines.some((l) => /^Export exp-\S+ is written/.test(l)),
        lines.join("\n"),
      );

      if (result.inspection.format === "pg_dump-directory") {
        assert.match(report, /pg_dump directory archive, tarred and gzipped \(Render's format\)/);
        // The row is in the archive's data (pg_restore reads the folder the tar holds).
        const unpacked = path.join(work, "unpacked");
        fs.mkdirSync(unpacked);
        execFileSync("tar", ["-xzf", result.file, "-C", unpacked]);
        const sql = execFileSync(
          "pg_restore",
          ["--data-only", "--table=notes", "--file=-", path.join(unpacked, result.inspection.pgDump!.folder)],
          { encoding: "utf8" },
        );
        assert.match(sql, /written before the export/);
      } else {
        assert.equal(label, "pglite");
        assert.match(
          report,
          /PGlite data directory, tarred and gzipped: the emulator's PGlite backend, not Render's format/,
        );
      }
    });

    it("a lost answer to the export request: the export it started is followed, no second one is asked for", async () => {
      await control(emu, "DELETE", "/requests");
      const before = ((await api("GET", `/postgres/${databaseId}/export`)).body as unknown[]).length;
      await control(emu, "POST", "/faults", {
        method: "POST",
        path: "/v1/postgres/*/export",
        count: 1,
        fault: { kind: "lose-response" },
      });
      const lines: string[] = [];
      const result = await run("lost", { log: (line) => lines.push(line) });
      assert.ok(
        lines.some((l) => l.includes("answer to the export request was lost")),
        lines.join("\n"),
      );
      assert.equal((await exportPosts()).length, 1);
      const after = (await api("GET", `/postgres/${databaseId}/export`)).body as { id: string }[];
      assert.equal(after.length, before + 1);
      assert.equal(after[0].id, result.exportId);
    });

    it("a damaged download is not kept: an error naming the check, no file in the folder", async () => {
      // The emulator serves the file it wrote: cut it in half once it is written, before the download.
      const exportsDir = path.join(stateDir, "exports");
      const cut = (line: string) => {
        const id = /^Export (exp-\S+) is written/.exec(line)?.[1];
        if (!id) return;
        const file = path.join(exportsDir, `${databaseName}-${id}.dir.tar.gz`);
        fs.truncateSync(file, Math.floor(fs.statSync(file).size / 2));
      };
      await assert.rejects(
        run("damaged", { log: cut }),
        /did not pass the check, so it was not kept: the backup is damaged: the gzip stream is cut short/,
      );
      assert.deepEqual(fs.readdirSync(outDir("damaged")), []);
    });

    it("interrupted (Ctrl-C) at the download: no file in the folder", async () => {
      const controller = new AbortController();
      const stop = (line: string) => {
        if (/downloading/.test(line)) controller.abort(new Error("SIGINT: interrupted"));
      };
      await assert.rejects(
        run("interrupted", { log: stop, signal: controller.signal }),
        /interrupted|aborted/,
      );
      assert.deepEqual(fs.readdirSync(outDir("interrupted")), []);
    });

    it("a database that is not available: an error before any write (no export asked for, no folder made)", async () => {
      expectStatus(await api("POST", `/postgres/${databaseId}/suspend`), 202);
      await control(emu, "DELETE", "/requests");
      await assert.rejects(
        run("suspended"),
        new RegExp(
          `database backup-db \\(${databaseId}\\) is suspended: Render exports an available database only`,
        ),
      );
      assert.deepEqual(
        (await requests()).filter((r) => r.method !== "GET"),
        [],
      );
      assert.equal(fs.existsSync(outDir("suspended")), false);
    });
  });
}

// PGlite (the local stack's backend) costs tens of seconds on a busy machine (its start, the export, opening it
// to list the tables): with a PostgreSQL server at hand it runs in `RELIABILITY_FULL=1` runs only.
const pgUrl = process.env.EMULATOR_TEST_PG_URL;
if (pgUrl) suite("postgres server", { kind: "postgres", url: pgUrl });
if (!pgUrl || process.env.RELIABILITY_FULL) suite("pglite", undefined);

describe("tools: db:backup's output folder and archive check", function () {
  let work: string;
  before(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), "db-backup-files-"));
  });
  after(() => fs.rmSync(work, { recursive: true, force: true }));

  it("refuses a folder inside the checkout or any git work tree, creating nothing; accepts one outside", () => {
    const project = path.join(work, "project");
    fs.mkdirSync(project);
    const inRepo = path.join(toolRepository, "backups", "new");
    assert.throws(
      () => checkOutDir(inRepo, project),
      new RegExp(
        `--out ${inRepo.replace(/[/.]/g, "\\$&")} is inside the checkout ${toolRepository.replace(/[/.]/g, "\\$&")}`,
      ),
    );
    assert.equal(fs.existsSync(path.join(toolRepository, "backups")), false);
    assert.throws(() => checkOutDir(path.join(project, "sub"), project), /is inside the checkout/);
    // A link from outside into the checkout is the checkout.
    fs.symlinkSync(toolRepository, path.join(work, "link"));
    assert.throws(() => checkOutDir(path.join(work, "link", "x"), project), /is inside the checkout/);
    const other = path.join(work, "other-repo");
    fs.mkdirSync(other);
    execFileSync("git", ["init", "-q", other]);
    assert.throws(() => checkOutDir(path.join(other, "b"), project), /is inside the git work tree/);
    assert.equal(checkOutDir(path.join(work, "fine", "deep"), project), path.join(work, "fine", "deep"));
    assert.equal(fs.existsSync(path.join(work, "fine")), false);
    assert.equal(defaultOutDir("prod", { XDG_CACHE_HOME: "/c" }), "/c/arrakis/backups/prod");
  });

  it("reads GNU and pax long names, and refuses a truncated tar inside a whole gzip stream", async () => {
    const src = path.join(work, "src");
    const long = `${"d".repeat(60)}/${"f".repeat(120)}.dat`;
    fs.mkdirSync(path.join(src, path.dirname(long)), { recursive: true });
    fs.writeFileSync(path.join(src, long), "x".repeat(700));
    for (const format of ["gnu", "pax"]) {
      const file = path.join(work, `${format}.tar.gz`);
      execFileSync("tar", [`--format=${format}`, "-czf", file, "-C", src, "."]);
      const { entries, kept } = await readTarGz(file, (name) => name === long);
      assert.deepEqual(
        entries.filter((e) => e.type === "file").map((e) => [e.name, e.size]),
        [[long, 700]],
      );
      assert.equal(kept.get(long)?.toString(), "x".repeat(700));
    }
    // A tar cut inside a member, then gzipped whole: the gzip check passes, the tar's does not.
    const tar = execFileSync("tar", ["--format=gnu", "-cf", "-", "-C", src, "."]);
    const cutFile = path.join(work, "cut.tar.gz");
    fs.writeFileSync(cutFile, execFileSync("gzip", ["-c"], { input: tar.subarray(0, 1024 + 300) }));
    await assert.rejects(inspectBackup(cutFile), /the backup is damaged: the tar archive is cut short/);
    // Cut inside a member's data (after its header): node-tar's strict parser refuses it.
    const dataCut = tar.findIndex((_, i) => i % 512 === 0 && tar.subarray(i, i + 3).toString() === "xxx");
    fs.writeFileSync(cutFile, execFileSync("gzip", ["-c"], { input: tar.subarray(0, dataCut + 100) }));
    await assert.rejects(readTarGz(cutFile), /the tar archive is cut short \(a member ends past/);
  });

  it("parses pg_restore --list: tables, their data entries, names with spaces", () => {
    const parsed = parseRestoreList(
      [
        ";     Dump Version: 1.14-0",
        "215; 1259 35955 TABLE public a postgres",
        "216; 1259 35958 TABLE public odd name postgres",
        "219; 1259 35971 SEQUENCE public sq postgres",
        "3353; 0 35955 TABLE DATA public a postgres",
        "3354; 0 35958 TABLE DATA public odd name postgres",
      ].join("\n"),
    );
    assert.deepEqual(parsed.tables, [
      { schema: "public", name: "a" },
      { schema: "public", name: "odd name" },
    ]);
    assert.deepEqual(
      parsed.tableData.map((d) => d.dumpId),
      [3353, 3354],
    );
    assert.equal(parsed.header["Dump Version"], "1.14-0");
  });
});
