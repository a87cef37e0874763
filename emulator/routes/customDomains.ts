/**
 * Custom domains of a web service or static site: `/services/{id}/custom-domains` (list, add), one
 * domain by id or name (get, delete) and `…/verify` (openapi.json "Custom Domains").
 *
 * Render's documented behaviour (render.com/docs/custom-domains, read 2026-12): only web services and
 * static sites take custom domains; adding `www.example.org` also adds `example.org` redirecting to it,
 * and adding `example.org` also adds `www.example.org` redirecting to it. The added sibling carries the
 * name it redirects to in `redirectForName` (its own entry, listed with the service's other domains: the
 * Terraform provider's false drift, its issue 65 / PR 70).
 *
 * OBSERVED (terraform-provider-render `static_site_cassette.yaml`): ids `cdm-…`; the 201 of an add is an
 * array; a new domain is `unverified`, `redirectForName: ""`, `publicSuffix: "com"`, no `server`.
 *
 * UNCONFIRMED, with the choice made:
 * - the 201 array holds the added domain and its sibling (the spec's array suggests both);
 * - deleting a domain leaves its sibling in place (a client removes both; never kinder than Render);
 * - a name used by any service is refused with 409; a sibling whose name is taken is not added;
 * - names are lowercase DNS names (a leading `*.` wildcard allowed); the public suffix is the last
 *   label, or the last two for a few well-known two-label suffixes (Render uses the Public Suffix List);
 * - verification: the emulator has no DNS, so `verify` marks the domain verified (a LIMITATION).
 */
import type { EmulatorCore } from "../core";
import { badRequest, conflict, notFound } from "../errors";
import { newId } from "../ids";
import type { Router } from "../router";
import type { CustomDomainRecord, ServiceRecord } from "../state/model";
import { iso, requireService } from "./common";
import { paginate } from "./pagination";
import { enumField, objectBody, queryList, stringField, timeFilter } from "./validate";

/** Two-label public suffixes the emulator knows (a small part of the Public Suffix List). */
const TWO_LABEL_SUFFIXES = new Set([
  "co.uk", "org.uk", "ac.uk", "gov.uk", "com.au", "net.au", "org.au", "co.nz", "co.jp", "com.br",
  "co.in", "com.mx", "co.za", "com.cn", "com.tr", "com.sg",
]); // prettier-ignore

const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** The public suffix of a name (`com`, `co.uk`). */
export function publicSuffixOf(name: string): string {
  const labels = name.split(".");
  const two = labels.slice(-2).join(".");
  return labels.length > 2 && TWO_LABEL_SUFFIXES.has(two) ? two : labels[labels.length - 1];
}

/** Whether a name is an apex (registrable) domain: one label above its public suffix. */
export function isApex(name: string): boolean {
  const suffix = publicSuffixOf(name);
  return name.split(".").length === suffix.split(".").length + 1;
}

/** The apex/www sibling Render adds for a name, if any. */
export function siblingOf(name: string): string | undefined {
  if (name.startsWith("*.")) return undefined;
  if (isApex(name)) return `www.${name}`;
  if (name.startsWith("www.") && isApex(name.slice(4))) return name.slice(4);
  return undefined;
}

function checkDomainName(name: string): void {
  const show = JSON.stringify(name);
  if (name !== name.toLowerCase()) throw badRequest(`invalid name ${show}: a domain name is lowercase`);
  const labels = (name.startsWith("*.") ? name.slice(2) : name).split(".");
  if (name.length > 253 || labels.length < 2 || !labels.every((l) => LABEL.test(l)))
    throw badRequest(
      `invalid name ${show}: must be a domain name like example.com or app.example.com (Unicode names in Punycode)`,
    );
}

/** Every custom domain of every service, with its service. */
function allDomains(core: EmulatorCore): { service: ServiceRecord; domain: CustomDomainRecord }[] {
  return [...core.state.services.values()].flatMap((service) =>
    (service.customDomains ?? []).map((domain) => ({ service, domain })),
  );
}

function domainJson(service: ServiceRecord, d: CustomDomainRecord): Record<string, unknown> {
  return {
    id: d.id,
    name: d.name,
    domainType: d.domainType,
    publicSuffix: d.publicSuffix,
    redirectForName: d.redirectForName,
    verificationStatus: d.verificationStatus,
    createdAt: iso(d.createdAt),
    server: { id: service.id, name: service.name },
  };
}

/** A service that takes custom domains. @throws 404 (unknown), 400 (a type without custom domains). */
function requireDomainService(core: EmulatorCore, id: string): ServiceRecord {
  const s = requireService(core, id);
  if (s.type !== "web_service" && s.type !== "static_site")
    throw badRequest(`only web services and static sites take custom domains: service ${id} is a ${s.type}`);
  return s;
}

function requireDomain(s: ServiceRecord, idOrName: string): CustomDomainRecord {
  const d = (s.customDomains ?? []).find((x) => x.id === idOrName || x.name === idOrName);
  if (!d) throw notFound(idOrName);
  return d;
}

/** Registers the custom-domain routes. */
export function registerCustomDomainRoutes(router: Router, core: EmulatorCore): void {
  router.add("GET", "/services/:serviceId/custom-domains", ({ params, query }) => {
    const s = requireDomainService(core, params.serviceId);
    const names = queryList(query, "name");
    const domainType = enumField(Object.fromEntries(query), "domainType", "domainType", [
      "apex",
      "subdomain",
    ] as const);
    const status = enumField(Object.fromEntries(query), "verificationStatus", "verificationStatus", [
      "verified",
      "unverified",
    ] as const);
    const items = (s.customDomains ?? []).filter(
      (d) =>
        (!names || names.includes(d.name)) &&
        (!domainType || d.domainType === domainType) &&
        (!status || d.verificationStatus === status) &&
        timeFilter(query, "created", d.createdAt),
    );
    return { status: 200, body: paginate(items, query, "customDomain", (d) => domainJson(s, d)) };
  });

  router.add("POST", "/services/:serviceId/custom-domains", ({ params, body }) => {
    const s = requireDomainService(core, params.serviceId);
    const name = stringField(objectBody(body), "name", "name", true);
    checkDomainName(name);
    const taken = allDomains(core).find((x) => x.domain.name === name);
    if (taken)
      throw conflict(
        taken.service.id === s.id
          ? `custom domain ${name} already exists on service ${s.id}`
          : `custom domain ${name} is already in use by another service`,
      );
    const now = core.clock.now();
    const make = (n: string, redirectForName: string): CustomDomainRecord => ({
      id: newId("cdm"),
      seq: core.state.nextSeq(),
      name: n,
      domainType: isApex(n) ? "apex" : "subdomain",
      publicSuffix: publicSuffixOf(n),
      redirectForName,
      verificationStatus: "unverified",
      createdAt: now,
    });
    const added = [make(name, "")];
    const sibling = siblingOf(name);
    if (sibling && !allDomains(core).some((x) => x.domain.name === sibling)) added.push(make(sibling, name));
    s.customDomains = [...(s.customDomains ?? []), ...added];
    core.changed();
    return { status: 201, body: added.map((d) => domainJson(s, d)) };
  });

  router.add("GET", "/services/:serviceId/custom-domains/:idOrName", ({ params }) => {
    const s = requireDomainService(core, params.serviceId);
    return { status: 200, body: domainJson(s, requireDomain(s, params.idOrName)) };
  });

  router.add("DELETE", "/services/:serviceId/custom-domains/:idOrName", ({ params }) => {
    const s = requireDomainService(core, params.serviceId);
    const d = requireDomain(s, params.idOrName);
    s.customDomains = (s.customDomains ?? []).filter((x) => x.id !== d.id);
    core.changed();
    return { status: 204 };
  });

  router.add("POST", "/services/:serviceId/custom-domains/:idOrName/verify", ({ params }) => {
    const s = requireDomainService(core, params.serviceId);
    const d = requireDomain(s, params.idOrName);
    // LIMITATION: no DNS behind the emulator; the check always passes.
    d.verificationStatus = "verified";
    core.changed();
    return { status: 202 };
  });
}
