/**
 * Writes the imported config into a Pulumi stack file (`Pulumi.<stack>.yaml`). An existing file is
 * edited in place with the `yaml` document API: its comments, its `encryptionsalt` and every key the
 * import does not own (secrets above all) are kept; the imported keys are replaced whole.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { isMap, parseDocument, stringify } from "yaml";

/** Renders the stack file text: a new one, or `existing` with the given config keys replaced. */
export function renderStackFile(
  config: Record<string, unknown>,
  options: { existing?: string; header?: string[] } = {},
): string {
  if (options.existing !== undefined && options.existing.trim() !== "") {
    const doc = parseDocument(options.existing);
    if (doc.errors.length > 0)
      throw new Error(`could not read the existing stack file: ${doc.errors[0].message.split("\n")[0]}`);
    if (doc.contents !== null && !isMap(doc.contents))
      throw new Error("could not read the existing stack file: it is not a map");
    const existingConfig = doc.get("config");
    if (existingConfig !== undefined && existingConfig !== null && !isMap(existingConfig))
      throw new Error("could not read the existing stack file: its config is not a map");
    for (const [key, value] of Object.entries(config)) doc.setIn(["config", key], doc.createNode(value));
    return doc.toString();
  }
  const header = (options.header ?? []).map((line) => `# ${line}`.trimEnd()).join("\n");
  return `${header ? `${header}\n` : ""}${stringify({ config })}`;
}

/** Writes a file atomically (temp file + rename), so a crash never leaves half a stack file. */
export function writeFileAtomic(file: string, text: string): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  fs.writeFileSync(tmp, text, { mode: 0o644 });
  fs.renameSync(tmp, file);
}
