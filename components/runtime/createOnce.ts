/**
 * Create-once for objects whose names are unique in a workspace (a database, a service): never a
 * second one of the same name. Before a create it looks for the object (by `adoptId`, else by name);
 * one found is adopted only when the resource says so (`adoptId`, `adoptExisting`); a create whose
 * outcome is unknown (a timeout after the POST was sent) is followed by a look-up by name, never by a
 * second POST. Pure of the API: the caller gives the look-ups, the create and the kind's words.
 */
import { configCommand, type ConfigAdvice } from "./advice";

/** How a kind of object is named in messages. */
export interface KindWords {
  /** The noun, e.g. `database`. */
  noun: string;
  /** Where the user finds an id, for a bad `adoptId`, e.g. `the dpg-… id of its dashboard URL`. */
  idHint: string;
  /**
   * What the name is unique in, and its field, when not the workspace (`ownerId`): a disk's name is
   * unique on its service (`{ noun: "service", field: "serviceId" }`).
   */
  owner?: { noun: string; field: string };
}

/** `a` or `an` before a noun (`an env group`). */
function article(noun: string): string {
  return /^[aeiou]/i.test(noun) ? "an" : "a";
}

/** What `createOnce` needs: the desired object, the adoption options, and the calls that reach the API. */
export interface CreateOnceSpec<Live extends { id: string; name: string }, Created> {
  /** How the kind is named in messages. */
  words: KindWords;
  /** The program's words: its command for `adoptExisting` in the duplicate's message (runtime/advice.ts). */
  advice?: ConfigAdvice;
  /** The desired name (unique in the workspace). */
  name: string;
  /** The desired workspace. */
  ownerId: string;
  /** Adopt this live object (checked to be in `ownerId` and named `name`); no look-up by name. */
  adoptId?: string;
  /** Adopt the live object of the same name if there is one, instead of failing. */
  adoptExisting?: boolean;
  /** The workspace of a live object. */
  ownerOf(live: Live): string;
  /** Reads a live object by id (rejects with a not-found error when there is none). */
  getById(id: string): Promise<Live>;
  /** The live object of the desired name in the desired workspace, if any. */
  findByName(): Promise<Live | undefined>;
  /** Fields of a live object that differ from the desired ones and cannot change in place. */
  replacedFields(live: Live): string[];
  /** Creates the object (one POST). */
  create(): Promise<Created>;
  /** True when an error says the object does not exist. */
  isNotFound(err: unknown): boolean;
  /** True when an error says a write may or may not have been applied. */
  isOutcomeUnknown(err: unknown): boolean;
}

/** How `createOnce` ended: an existing object adopted, one created, or a create found after an unknown outcome. */
export type CreateOnceOutcome<Live, Created> =
  { how: "adopted"; live: Live } | { how: "created"; created: Created } | { how: "recovered"; live: Live };

/**
 * Adopts the existing object or creates one, never two of the same name. Calls, in order: `getById`
 * (with `adoptId`) or `findByName`; then, when nothing was found, `create`, and after an unknown
 * outcome `findByName` again. Fails before any write on an object that may not be adopted.
 */
export async function createOnce<Live extends { id: string; name: string }, Created>(
  spec: CreateOnceSpec<Live, Created>,
): Promise<CreateOnceOutcome<Live, Created>> {
  const { noun } = spec.words;
  const existing = spec.adoptId ? await adoptable(spec, spec.adoptId) : await spec.findByName();
  if (existing) {
    if (!spec.adoptExisting && !spec.adoptId)
      throw new Error(
        `could not create ${noun} ${spec.name}: ${spec.words.owner?.noun ?? "workspace"} ${spec.ownerId} already ` +
          `has ${article(noun)} ${noun} of that name ` +
          `(${existing.id}). To manage it, set \`adoptExisting: true\` on the resource${programCommand(spec.advice)} ` +
          "and run `pulumi up` again; to create a new one, choose another name",
      );
    const replaced = spec.replacedFields(existing);
    if (replaced.length > 0)
      throw new Error(
        `could not adopt ${noun} ${spec.name} (${existing.id}): its ${replaced.join(", ")} differ from the ` +
          "desired ones, and those cannot change in place",
      );
    return { how: "adopted", live: existing };
  }
  try {
    return { how: "created", created: await spec.create() };
  } catch (err) {
    if (!spec.isOutcomeUnknown(err)) throw err;
    // The POST may have been applied: look before anything else, never create twice.
    const found = await spec.findByName();
    if (!found)
      throw new Error(
        `could not create ${noun} ${spec.name}: ${(err as Error).message}. No ${noun} of that name exists ` +
          "now, so running `pulumi up` again is safe",
      );
    return { how: "recovered", live: found };
  }
}

/** ` (the arrakis app: \`pulumi config set --path …adoptExisting true\`)` when the program gave its key. */
function programCommand(advice: ConfigAdvice | undefined): string {
  const command = configCommand(advice, "adoptExisting", "set", "true");
  return command && advice ? ` (${advice.program}: \`${command}\`)` : "";
}

/**
 * The live object `adoptId` names, checked to be the one the resource describes: it exists, is in the
 * resource's workspace and carries its name. Anything else fails before any write.
 */
async function adoptable<Live extends { id: string; name: string }>(
  spec: CreateOnceSpec<Live, unknown>,
  id: string,
): Promise<Live> {
  const { noun } = spec.words;
  let live: Live;
  try {
    live = await spec.getById(id);
  } catch (err) {
    if (spec.isNotFound(err))
      throw new Error(
        `could not adopt ${noun} ${id}: no such ${noun} on Render (check adoptId, ${spec.words.idHint})`,
      );
    throw err;
  }
  if (spec.ownerOf(live) !== spec.ownerId)
    throw new Error(
      `could not adopt ${noun} ${id}: it belongs to ${spec.words.owner?.noun ?? "workspace"} ${spec.ownerOf(live)}, ` +
        `not ${spec.ownerId} (${spec.words.owner?.field ?? "ownerId"})`,
    );
  if (live.name !== spec.name)
    throw new Error(
      `could not adopt ${noun} ${id}: it is named ${JSON.stringify(live.name)}, the resource ` +
        `${JSON.stringify(spec.name)}. Set name to the live one (a rename is not adoption) or fix adoptId`,
    );
  return live;
}

/**
 * What adopting a live object changes, as the preview shows it before the up that adopts it (listed
 * there as a create): a head line, then each change indented. `changed` counts the lines that change
 * something (a line starting with `=` keeps a value).
 */
export function adoptionReport(noun: string, name: string, id: string, lines: string[]): string {
  const changed = lines.filter((line) => !line.startsWith("=")).length;
  const head =
    `adopting ${noun} ${name} (${id}): ` +
    (changed === 0 ? "pulumi up changes nothing on it" : "pulumi up changes it to match the config:");
  return [head, ...lines.map((line) => `    ${line}`)].join("\n");
}

/** Where a provider writes a report by default: stderr, whose lines the engine shows under the resource. */
export function writeToStderr(text: string): void {
  process.stderr.write(`${text}\n`);
}
