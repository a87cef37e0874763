/**
 * The steps every provider of a named Render object (a database, a service) takes the same way, once:
 * - `check`: the resource's field check, its `advice` (runtime/advice.ts), the workspace
 *   ({@link checkWorkspace}), and on a first adoption the report of what the up will change;
 * - `diff` and `read`: an object gone from Render is the one message of {@link goneFromRender}, and a
 *   refresh drops it only when the user named it in `RENDER_FORGET_DELETED`;
 * - `delete`: an object already gone counts as deleted (Render answered 404);
 * - create-once's look-up by name: Render's list filtered by name and workspace, then matched exactly.
 * The provider gives what is its own: the field check, the reads, the adoption lines.
 */
import type * as pulumi from "@pulumi/pulumi";
import { isNotFound } from "../render/errors";
import { takeAdvice, withAdvice, type Advised, type ConfigAdvice } from "./advice";
import {
  checkWorkspace,
  goneFromRender,
  mayForget,
  type GoneKind,
  type RenderProviderConfig,
} from "./config";
import { adoptionReport, writeToStderr } from "./createOnce";
import { isUnknown, type InputFailure } from "./validation";

/** The inputs every named Render object has. */
export interface NamedObjectInputs {
  /** Display name, unique in the workspace. */
  name: string;
  /** Workspace id `tea-…`. */
  ownerId: string;
  /** The live object to adopt, if any. */
  adoptId?: string;
}

/** A resource's own field check (its mapping's `check…Inputs`): normalised inputs and failures. */
export type FieldCheck = (raw: Record<string, unknown>) => {
  inputs: Record<string, unknown>;
  failures: InputFailure[];
};

/**
 * `check` of a named Render object: every field (the resource's `fieldCheck`) and `advice`, then the
 * workspace of a new or changed `ownerId`; when all is valid and this is a first adoption (nothing
 * recorded yet, an `adoptId`), `reportAdoption`, whose preview shows the adoption as a create. Reads
 * only, never writes.
 */
export async function checkNamedObject<Inputs extends NamedObjectInputs>(
  config: RenderProviderConfig,
  olds: Partial<Inputs> | undefined,
  news: Record<string, unknown>,
  fieldCheck: FieldCheck,
  reportAdoption: (inputs: Advised<Inputs>) => Promise<void>,
): Promise<pulumi.dynamic.CheckResult<Advised<Inputs>>> {
  const { fields, advice, failures: adviceFailures } = takeAdvice(news);
  const { inputs: checked, failures } = fieldCheck(fields);
  failures.push(...adviceFailures);
  await checkWorkspace(config, olds?.ownerId, checked.ownerId, failures);
  const inputs = withAdvice(checked as unknown as Inputs, advice);
  if (failures.length === 0 && olds?.name === undefined && inputs.adoptId && !isUnknown(inputs.adoptId))
    await reportAdoption(inputs);
  return { inputs, failures };
}

/**
 * Writes what adopting a live object changes (a head line, then `changes()`), before any write: in the
 * preview and again in the up. `changes` answers undefined when the live object is not the one the
 * resource describes (another name or workspace): create's own message says so. A read that fails is
 * left to create as well: nothing is written.
 */
export async function reportAdoption(
  noun: string,
  inputs: NamedObjectInputs,
  changes: () => Promise<string[] | undefined>,
  report: (text: string) => void = writeToStderr,
): Promise<void> {
  let lines: string[] | undefined;
  try {
    lines = await changes();
  } catch {
    return;
  }
  if (lines !== undefined) report(adoptionReport(noun, inputs.name, inputs.adoptId!, lines));
}

/** The object a `diff` or `read` looks at, named for the message when it is gone from Render. */
export interface WatchedObject {
  /** What it is, in the message. */
  what: GoneKind;
  /** Its Render id. */
  id: string;
  /** Its name in the stack's state, when known. */
  name?: string;
  /** The program's words for the way back (runtime/advice.ts). */
  advice?: ConfigAdvice;
}

/**
 * The live object for `diff`: `get`'s answer, or, when Render has no such object, the one message of
 * {@link goneFromRender} (nothing is recreated without the user's choice). Other errors propagate.
 */
export async function liveForDiff<T>(object: WatchedObject, get: () => Promise<T>): Promise<T> {
  try {
    return await get();
  } catch (err) {
    if (isNotFound(err)) throw goneFromRender(object.what, object.id, object.name, object.advice);
    throw err;
  }
}

/**
 * The live object for `read` from its settled read: the value; undefined when Render has no such object
 * and the user named it in `RENDER_FORGET_DELETED` (the refresh drops it from state); else the message
 * of {@link goneFromRender}. Other errors propagate.
 */
export function liveForRead<T>(object: WatchedObject, result: PromiseSettledResult<T>): T | undefined {
  if (result.status === "fulfilled") return result.value;
  if (!isNotFound(result.reason)) throw result.reason;
  if (mayForget(object.id)) return undefined;
  throw goneFromRender(object.what, object.id, object.name, object.advice);
}

/** `delete`: runs `remove`; an object Render no longer has counts as deleted. */
export async function deleteIgnoringNotFound(remove: () => Promise<unknown>): Promise<void> {
  try {
    await remove();
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}

/**
 * The object named `name` in workspace `ownerId`, if any, from Render's list filtered by both (`list`):
 * only an exact match of both counts, whatever the list's filter let through.
 */
export async function findByName<T>(
  list: AsyncIterable<T>,
  name: string,
  ownerId: string,
  ownerOf: (object: T) => string,
  nameOf: (object: T) => string = (object) => (object as { name: string }).name,
): Promise<T | undefined> {
  for await (const object of list) if (nameOf(object) === name && ownerOf(object) === ownerId) return object;
  return undefined;
}
