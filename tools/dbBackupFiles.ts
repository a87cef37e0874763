/**
 * Where `npm run db:backup` writes, and how: a backup holds the database's data, so it never lands inside a
 * checkout (where `git add -A` would pick it up), it is readable by its owner only (mode 0600, its folder
 * 0700 when this makes it), and it appears whole or not at all: written to a hidden temp file beside its final
 * name, checked, then renamed; removed on any failure or interruption.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** The repository this tool belongs to. */
export const toolRepository = path.resolve(__dirname, "..");

/**
 * The default folder of a stack's backups: `$XDG_CACHE_HOME/arrakis/backups/<stack>`, else
 * `~/.cache/arrakis/backups/<stack>` (beside the engine build in `~/.cache/arrakis`), outside any checkout.
 */
export function defaultOutDir(stack: string, env: NodeJS.ProcessEnv = process.env): string {
  const cache =
    env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME)
      ? env.XDG_CACHE_HOME
      : path.join(os.homedir(), ".cache");
  return path.join(cache, "arrakis", "backups", stack);
}

/** The real path of `p`, resolving links of the part that exists (the rest is appended as is). */
function realPathOf(p: string): string {
  const missing: string[] = [];
  let at = path.resolve(p);
  for (;;) {
    try {
      return path.join(fs.realpathSync(at), ...missing.reverse());
    } catch {
      const parent = path.dirname(at);
      if (parent === at) return path.resolve(p);
      missing.push(path.basename(at));
      at = parent;
    }
  }
}

/** The top folder of the git work tree holding `dir` (its nearest existing folder), if any. */
function gitWorkTree(dir: string): string | undefined {
  let at = path.resolve(dir);
  while (!fs.existsSync(at)) at = path.dirname(at);
  try {
    const top = execFileSync("git", ["-C", at, "rev-parse", "--show-toplevel"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
    return top || undefined;
  } catch {
    // not in a work tree, or no git: the folders named below are still checked
    return undefined;
  }
}

const inside = (child: string, parent: string) => {
  const rel = path.relative(parent, child);
  return rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel));
};

/**
 * Refuses an output folder inside a checkout: the Pulumi project's (`projectDir`, or the git work tree around
 * it), this tool's repository, or any git work tree. Returns the folder's absolute path. Touches nothing.
 */
export function checkOutDir(outDir: string, projectDir: string): string {
  const resolved = path.resolve(outDir);
  const real = realPathOf(resolved);
  const checkouts = new Set<string>();
  for (const dir of [projectDir, toolRepository]) {
    checkouts.add(realPathOf(dir));
    const top = gitWorkTree(dir);
    if (top) checkouts.add(realPathOf(top));
  }
  for (const checkout of checkouts)
    if (inside(real, checkout))
      throw new Error(
        `--out ${outDir} is inside the checkout ${checkout}: a backup holds the database's data and must ` +
          `not be where git can pick it up; choose a folder outside it (default ${defaultOutDir("<stack>")})`,
      );
  const top = gitWorkTree(resolved);
  if (top)
    throw new Error(
      `--out ${outDir} is inside the git work tree ${top}: a backup holds the database's data and must not ` +
        "be where git can pick it up; choose a folder outside any checkout",
    );
  return resolved;
}

/** Creates the output folder (0700 for the folders this makes); an existing one must be a folder. */
export function ensureOutDir(dir: string): void {
  if (fs.existsSync(dir)) {
    if (!fs.statSync(dir).isDirectory()) throw new Error(`--out ${dir} exists and is not a folder`);
    return;
  }
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
}

/** A file being written: `path` is the temp file; `commit` renames it to its final name. */
export interface PendingFile {
  /** The temp file (mode 0600, in the destination folder). */
  tempPath: string;
  /** The final path. */
  finalPath: string;
  /** Writes a chunk. */
  write(chunk: Uint8Array): Promise<void>;
  /** Flushes to disk and closes (before checking the file). */
  close(): Promise<void>;
  /** Renames the temp file to the final path (atomic in one folder). */
  commit(): Promise<void>;
  /** Removes the temp file if it is still there (idempotent; sync, so a signal handler can call it). */
  discard(): void;
}

/** Every temp file not yet committed or discarded, removed synchronously by {@link discardPendingFiles}. */
const pendingFiles = new Set<PendingFile>();

/** Removes every temp file still being written (Ctrl-C: called from the signal handler, before exiting). */
export function discardPendingFiles(): void {
  for (const file of [...pendingFiles]) file.discard();
}

/** Opens a hidden temp file (`.<name>.partial-<random>`, 0600) beside `finalPath`. */
export async function openPendingFile(finalPath: string): Promise<PendingFile> {
  const dir = path.dirname(finalPath);
  const tempPath = path.join(dir, `.${path.basename(finalPath)}.partial-${randomBytes(6).toString("hex")}`);
  const handle = await fs.promises.open(tempPath, "wx", 0o600);
  let closed = false;
  let done = false;
  const file: PendingFile = {
    tempPath,
    finalPath,
    async write(chunk) {
      let offset = 0;
      while (offset < chunk.length) {
        const { bytesWritten } = await handle.write(chunk, offset, chunk.length - offset);
        offset += bytesWritten;
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await handle.sync();
      await handle.close();
    },
    async commit() {
      await file.close();
      // 0600 whatever the umask made of the open's mode.
      await fs.promises.chmod(tempPath, 0o600);
      await fs.promises.rename(tempPath, finalPath);
      done = true;
      pendingFiles.delete(file);
    },
    discard() {
      pendingFiles.delete(file);
      if (done) return;
      done = true;
      if (!closed) {
        closed = true;
        void handle.close().catch(() => undefined);
      }
      fs.rmSync(tempPath, { force: true });
    },
  };
  pendingFiles.add(file);
  return file;
}
