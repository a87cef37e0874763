/**
 * Registry credential routes (`/registrycredentials…`, openapi.json "Registry Credentials"): list
 * (filters), create, get, update, delete. A credential lets Render pull a private image.
 *
 * As openapi.json says: the list is a bare array of `registryCredential` (no cursor wrapper); the create
 * answers 200 (not 201); the object has no owner and never the auth token; PATCH takes every field again
 * (`name`, `registry`, `username`, `authToken` are all required there).
 *
 * UNCONFIRMED, the safe choice taken: ids are `rgc-` + 20 characters; a second credential of the same
 * name in a workspace is refused (409), so a name says which credential; an empty auth token is refused.
 */
import type { EmulatorCore } from "../core";
import { conflict, notFound } from "../errors";
import { newId } from "../ids";
import type { Router } from "../router";
import type { RegistryCredentialRecord } from "../state/model";
import { iso, requireOwner } from "./common";
import { queryLimit } from "./pagination";
import {
  type Body,
  enumField,
  objectBody,
  queryEnumList,
  queryList,
  stringField,
  timeFilter,
} from "./validate";

/** `registryCredentialRegistry` (openapi.json). */
export const REGISTRIES = ["GITHUB", "GITLAB", "DOCKER", "GOOGLE_ARTIFACT", "AWS_ECR"] as const;

/** A credential of the key's workspaces. @throws 404 otherwise. */
export function requireRegistryCredential(core: EmulatorCore, id: string): RegistryCredentialRecord {
  const credential = core.state.registryCredentials.get(id);
  if (!credential || !core.state.owners.has(credential.ownerId)) throw notFound(id);
  return credential;
}

/** Registers the registry credential routes. */
export function registerRegistryCredentialRoutes(router: Router, core: EmulatorCore): void {
  router.add("GET", "/registrycredentials", ({ query }) => {
    const names = queryList(query, "name");
    const usernames = queryList(query, "username");
    const types = queryEnumList(query, "type", REGISTRIES);
    const ownerIds = queryList(query, "ownerId");
    const items = [...core.state.registryCredentials.values()]
      .filter(
        (c) =>
          core.state.owners.has(c.ownerId) &&
          (!names || names.includes(c.name)) &&
          (!usernames || usernames.includes(c.username)) &&
          (!types || types.includes(c.registry as (typeof REGISTRIES)[number])) &&
          (!ownerIds || ownerIds.includes(c.ownerId)) &&
          timeFilter(query, "created", c.createdAt) &&
          timeFilter(query, "updated", c.updatedAt),
      )
      .sort((a, b) => b.seq - a.seq)
      .slice(0, queryLimit(query));
    return { status: 200, body: items.map(registryCredentialJson) };
  });

  router.add("POST", "/registrycredentials", ({ body }) => {
    const b = objectBody(body);
    const fields = credentialFields(b);
    const ownerId = stringField(b, "ownerId", "ownerId", true);
    requireOwner(core, ownerId);
    checkNameFree(core, ownerId, fields.name);
    const now = core.clock.now();
    const credential: RegistryCredentialRecord = {
      id: newId("rgc"),
      seq: core.state.nextSeq(),
      ownerId,
      ...fields,
      createdAt: now,
      updatedAt: now,
    };
    core.state.registryCredentials.set(credential.id, credential);
    core.changed();
    return { status: 200, body: registryCredentialJson(credential) };
  });

  router.add("GET", "/registrycredentials/:registryCredentialId", ({ params }) => ({
    status: 200,
    body: registryCredentialJson(requireRegistryCredential(core, params.registryCredentialId)),
  }));

  router.add("PATCH", "/registrycredentials/:registryCredentialId", ({ params, body }) => {
    const credential = requireRegistryCredential(core, params.registryCredentialId);
    const fields = credentialFields(objectBody(body));
    if (fields.name !== credential.name) checkNameFree(core, credential.ownerId, fields.name);
    Object.assign(credential, fields, { updatedAt: core.clock.now() });
    core.changed();
    return { status: 200, body: registryCredentialJson(credential) };
  });

  router.add("DELETE", "/registrycredentials/:registryCredentialId", ({ params }) => {
    const credential = requireRegistryCredential(core, params.registryCredentialId);
    core.state.registryCredentials.delete(credential.id);
    core.changed();
    return { status: 204 };
  });
}

/** The fields POST and PATCH both require. The token is never echoed in a message. */
function credentialFields(
  b: Body,
): Pick<RegistryCredentialRecord, "name" | "registry" | "username" | "authToken"> {
  return {
    name: stringField(b, "name", "name", true),
    registry: enumField(b, "registry", "registry", REGISTRIES, true)!,
    username: stringField(b, "username", "username", true),
    authToken: stringField(b, "authToken", "authToken", true),
  };
}

/** @throws 409 when the workspace has a credential of that name (see the file comment). */
function checkNameFree(core: EmulatorCore, ownerId: string, name: string): void {
  for (const c of core.state.registryCredentials.values())
    if (c.ownerId === ownerId && c.name === name)
      throw conflict(`a registry credential named ${JSON.stringify(name)} already exists (${c.id})`);
}

/** `registryCredential`: no owner, never the token. */
function registryCredentialJson(c: RegistryCredentialRecord): Record<string, unknown> {
  return { id: c.id, name: c.name, registry: c.registry, username: c.username, updatedAt: iso(c.updatedAt) };
}
