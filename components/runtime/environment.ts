/**
 * Placement in a project environment, shared by every kind that can live in one (services, static
 * sites, Postgres, Key Value, env groups): the `environmentId` field, and the move that changes it in
 * place. Render takes `environmentId` on create (servicePOST, postgresPOSTInput, keyValuePOSTInput,
 * envGroupPOSTInput) and reads it back on GET; no PATCH body has it: a resource moves with
 * `POST /environments/{id}/resources` and leaves one with `DELETE /environments/{id}/resources`
 * (openapi.json "Environments"), keeping its id, URL and data, so a move is never a replace.
 */
import { z } from "zod";
import type { RenderClient } from "../render/client";

/** An environment id as Render writes it (`evm-…`). */
export const environmentIdPattern = /^evm-[a-z0-9]+$/;

/**
 * The `environmentId` field of a kind, with the kind's own field metadata (`render: true`: drift is read
 * back; never `replaces`: a change moves the resource).
 */
export function environmentIdField(meta: Record<string, unknown>) {
  /**
   * Project environment `evm-…` the resource belongs to (a RenderProject's `environmentId(name)`). Absent:
   * left where it is. A change moves it to the other environment in place (its id and data stay).
   */
  return z
    .string({ error: 'must be a Render environment id like "evm-…"' })
    .regex(environmentIdPattern, {
      error: 'must be a Render environment id like "evm-…" (a RenderProject\'s environmentId(name))',
    })
    .optional()
    .meta(meta);
}

/**
 * Whether a resource must move: the inputs name an environment and the live resource is elsewhere (an
 * environment the inputs leave out is not managed, as every optional setting).
 */
export function needsMove(desired: string | undefined, live: string | null | undefined): boolean {
  return desired !== undefined && desired !== (live ?? undefined);
}

/**
 * Moves resource `id` into environment `desired` when it is elsewhere (`live`); answers whether it moved.
 * `POST /environments/{id}/resources` takes it out of its previous environment itself (a resource is in
 * one environment at most); the call is a set, so a retry after an unknown outcome is harmless.
 */
export async function moveToEnvironment(
  client: RenderClient,
  id: string,
  desired: string | undefined,
  live: string | null | undefined,
): Promise<boolean> {
  if (!needsMove(desired, live)) return false;
  await client.addResourcesToEnvironment(desired!, [id]);
  return true;
}
