/**
 * Static sites, their header and route rules, and custom domains against Render's contract: every /v1
 * answer validated against openapi.json (tests/helpers/openapi.ts), Render's recorded quirks (`static`
 * dashboard path, previews winning over the legacy flag, `hdr-`/`rdr-`/`cdm-` ids, headers newest first,
 * routes in priority order, the apex/www sibling), and 400s naming the field before anything changes.
 */
import { strict as assert } from "node:assert";
import type { RunningEmulator } from "../../emulator";
import { renderSpecValidator } from "../helpers/openapi";
import { apiOf, control, expect400Naming, expectStatus, start, webServiceBody, type Api } from "./harness";

type Json = Record<string, unknown>;
const validator = renderSpecValidator();

function siteBody(ownerId: string, extra: Json = {}, details: Json = {}): Json {
  return {
    type: "static_site",
    name: "arrakis-docs",
    ownerId,
    repo: "https://github.com/example/docs",
    branch: "main",
    autoDeploy: "no",
    ...extra,
    serviceDetails: { buildCommand: "npm run build", publishPath: "dist", ...details },
  };
}

describe("emulator static sites, headers, routes and custom domains (contract)", function () {
  let emu: RunningEmulator;
  let raw: Api;
  const api: Api = async (method, path, body, apiKey) => {
    const response = await raw(method, path, body, apiKey);
    validator.validateResponse(method, path, response.status, response.body);
    return response;
  };
  const createSite = async (extra: Json = {}, details: Json = {}) => {
    const response = await api("POST", "/services", siteBody(emu.ownerId, extra, details));
    expectStatus(response, 201);
    return (response.body as { service: Json & { id: string } }).service;
  };

  beforeEach(async () => {
    emu = await start();
    raw = apiOf(emu);
  });
  afterEach(async () => {
    await emu?.close();
  });

  it("creates a static site with Render's shape; previews win over the legacy flag; PATCH changes settings", async () => {
    const site = await createSite(
      { rootDir: "web", buildFilter: { paths: ["src/**"], ignoredPaths: ["docs/**"] } },
      { previews: { generation: "automatic" }, pullRequestPreviewsEnabled: "no" },
    );
    assert.equal(site.type, "static_site");
    assert.equal(site.dashboardUrl, `https://dashboard.render.com/static/${site.id}`);
    const details = site.serviceDetails as Json;
    assert.equal(details.buildCommand, "npm run build");
    assert.equal(details.publishPath, "dist");
    assert.equal(details.buildPlan, "starter");
    assert.deepEqual(details.previews, { generation: "automatic" });
    assert.equal(details.pullRequestPreviewsEnabled, "yes");
    assert.equal("runtime" in details || "region" in details || "plan" in details, false);
    const patched = await api("PATCH", `/services/${site.id}`, {
      rootDir: "site",
      serviceDetails: { publishPath: "build", buildCommand: "make", previews: { generation: "off" } },
    });
    expectStatus(patched, 200);
    const after = (await api("GET", `/services/${site.id}`)).body as Json;
    assert.equal(after.rootDir, "site");
    assert.deepEqual(
      {
        ...(after.serviceDetails as Json),
        url: undefined,
      },
      {
        buildCommand: "make",
        buildPlan: "starter",
        previews: { generation: "off" },
        publishPath: "build",
        pullRequestPreviewsEnabled: "no",
        renderSubdomainPolicy: "enabled",
        url: undefined,
      },
    );
    const listed = (await api("GET", "/services?type=static_site")).body as { service: Json }[];
    assert.deepEqual(
      listed.map((e) => e.service.id),
      [site.id],
    );
  });

  it("keeps a static site's env vars as a service's: from the create, listed, replaced, one key at a time", async () => {
    const site = await createSite({
      envVars: [
        { key: "NODE_VERSION", value: "20" },
        { key: "BUILD_SALT", generateValue: true },
      ],
    });
    const list = async () =>
      Object.fromEntries(
        (
          (await api("GET", `/services/${site.id}/env-vars`)).body as {
            envVar: { key: string; value: string };
          }[]
        ).map((e) => [e.envVar.key, e.envVar.value]),
      );
    const created = await list();
    assert.equal(created.NODE_VERSION, "20");
    assert.match(created.BUILD_SALT, /^[A-Za-z0-9+/]{43}=$/);
    expectStatus(
      await api("PUT", `/services/${site.id}/env-vars`, [
        { key: "NODE_VERSION", value: "22" },
        { key: "API_URL", value: "https://api.example.com" },
      ]),
      200,
    );
    assert.deepEqual(await list(), { NODE_VERSION: "22", API_URL: "https://api.example.com" });
    expectStatus(
      await api("PUT", `/services/${site.id}/env-vars/API_URL`, { value: "https://b.example" }),
      200,
    );
    expectStatus(await api("DELETE", `/services/${site.id}/env-vars/NODE_VERSION`), 204);
    assert.deepEqual(await list(), { API_URL: "https://b.example" });
    // The same 400 as a service's before anything is stored.
    expect400Naming(
      await api("POST", "/services", siteBody(emu.ownerId, { name: "bad-env", envVars: [{ key: "A" }] })),
      "envVars[0].value",
    );
    expect400Naming(
      await api("PATCH", `/services/${site.id}`, { envVars: [{ key: "A", value: "1" }] }),
      "envVars",
    );
  });

  it("refuses web-service settings, an image and a missing repo on a static site, naming the field", async () => {
    expect400Naming(
      await api("POST", "/services", siteBody(emu.ownerId, {}, { runtime: "node" })),
      "serviceDetails.runtime",
    );
    expect400Naming(await api("POST", "/services", siteBody(emu.ownerId, { repo: undefined })), "repo");
    expect400Naming(
      await api(
        "POST",
        "/services",
        siteBody(emu.ownerId, {}, { headers: [{ path: "assets", name: "X", value: "1" }] }),
      ),
      "serviceDetails.headers[0].path",
    );
    expect400Naming(
      await api(
        "POST",
        "/services",
        siteBody(emu.ownerId, {}, { routes: [{ type: "proxy", source: "/a", destination: "/b" }] }),
      ),
      "serviceDetails.routes[0].type",
      "redirect, rewrite",
    );
    assert.equal(((await api("GET", "/services")).body as unknown[]).length, 0, "nothing was created");
    const site = await createSite();
    expect400Naming(
      await api("PATCH", `/services/${site.id}`, { serviceDetails: { plan: "pro" } }),
      "serviceDetails.plan",
    );
    expect400Naming(
      await api("PATCH", `/services/${site.id}`, { serviceDetails: { headers: [] } }),
      "PUT /services/{serviceId}/headers",
    );
  });

  it("keeps headers (newest first) and routes (priority order) from the create, PUT, POST, PATCH and DELETE", async () => {
    const site = await createSite(
      {},
      {
        headers: [
          { path: "/assets/*", name: "Cache-Control", value: "max-age=31536000" },
          { path: "/*", name: "X-Frame-Options", value: "SAMEORIGIN" },
        ],
        routes: [
          { type: "rewrite", source: "/blog", destination: "/blog/index.html" },
          { type: "redirect", source: "/about", destination: "/about-us" },
        ],
      },
    );
    const headers = async (q = "") =>
      ((await api("GET", `/services/${site.id}/headers${q}`)).body as { header: Json }[]).map(
        (e) => e.header,
      );
    const routes = async (q = "") =>
      ((await api("GET", `/services/${site.id}/routes${q}`)).body as { route: Json }[]).map((e) => e.route);
    const h = await headers();
    assert.deepEqual(
      h.map((x) => x.name),
      ["X-Frame-Options", "Cache-Control"],
    );
    assert.match(String(h[0].id), /^hdr-[0-9a-v]{20}$/);
    assert.deepEqual(
      (await headers("?name=Cache-Control")).map((x) => x.path),
      ["/assets/*"],
    );
    const r = await routes();
    assert.deepEqual(
      r.map((x) => [x.source, x.priority]),
      [
        ["/blog", 0],
        ["/about", 1],
      ],
    );
    assert.match(String(r[0].id), /^rdr-[0-9a-v]{20}$/);

    const added = await api("POST", `/services/${site.id}/routes`, {
      type: "redirect",
      source: "/old",
      destination: "/new",
      priority: 0,
    });
    expectStatus(added, 201);
    assert.deepEqual(
      (await routes()).map((x) => x.source),
      ["/old", "/blog", "/about"],
    );
    assert.deepEqual(
      (await routes("?type=rewrite")).map((x) => x.source),
      ["/blog"],
    );
    const moved = await api("PATCH", `/services/${site.id}/routes`, {
      id: (added.body as Json).id,
      priority: 2,
    });
    expectStatus(moved, 200);
    assert.deepEqual(
      (await routes()).map((x) => x.source),
      ["/blog", "/about", "/old"],
    );
    expectStatus(await api("DELETE", `/services/${site.id}/routes/${String((added.body as Json).id)}`), 204);
    expectStatus(await api("DELETE", `/services/${site.id}/routes/${String((added.body as Json).id)}`), 404);

    const put = await api("PUT", `/services/${site.id}/routes`, [
      { type: "redirect", source: "/a", destination: "/b" },
    ]);
    expectStatus(put, 200);
    assert.deepEqual(
      (await routes()).map((x) => [x.source, x.priority]),
      [["/a", 0]],
    );
    const header = await api("POST", `/services/${site.id}/headers`, {
      path: "/*",
      name: "X-Robots-Tag",
      value: "noindex",
    });
    expectStatus(header, 201);
    const hid = ((header.body as { headers: Json }).headers as Json).id as string;
    assert.equal((await headers())[0].id, hid);
    expectStatus(await api("DELETE", `/services/${site.id}/headers/${hid}`), 204);
    expectStatus(await api("PUT", `/services/${site.id}/headers`, []), 200);
    assert.deepEqual(await headers(), []);
    expect400Naming(
      await api("PUT", `/services/${site.id}/headers`, [{ path: "/*", name: "Bad Name", value: "1" }]),
      "headers[0].name",
    );
    const web = await api("POST", "/services", webServiceBody(emu.ownerId, "web"));
    const webId = (web.body as { service: { id: string } }).service.id;
    expect400Naming(
      await api("PUT", `/services/${webId}/headers`, [{ path: "/*", name: "X-A", value: "1" }]),
      "static site",
    );
    assert.deepEqual((await api("GET", `/services/${webId}/headers`)).body, []);
    expectStatus(await api("GET", "/services/srv-nope/routes"), 404);
  });

  it("answers 401 without a key, 404 for an unknown service and an injected 429 on every route, as the spec says", async () => {
    const site = await createSite();
    const routes: [string, string, unknown][] = [
      ["GET", "/headers", undefined],
      ["POST", "/headers", { path: "/*", name: "X-A", value: "1" }],
      ["PUT", "/headers", []],
      ["DELETE", "/headers/hdr-x", undefined],
      ["GET", "/routes", undefined],
      ["POST", "/routes", { type: "redirect", source: "/a", destination: "/b" }],
      ["PUT", "/routes", []],
      ["PATCH", "/routes", { id: "rdr-x", priority: 0 }],
      ["DELETE", "/routes/rdr-x", undefined],
      ["GET", "/custom-domains", undefined],
      ["POST", "/custom-domains", { name: "example.com" }],
      ["GET", "/custom-domains/example.com", undefined],
      ["DELETE", "/custom-domains/example.com", undefined],
      ["POST", "/custom-domains/example.com/verify", undefined],
    ];
    for (const [method, tail, body] of routes) {
      const path = `/services/${site.id}${tail}`;
      expectStatus(await api(method, path, body, null), 401);
      const unknown = await api(method, `/services/srv-d0000000000000000000${tail}`, body);
      expectStatus(unknown, 404);
      await control(emu, "POST", "/faults", {
        method,
        path: `/v1${path}`,
        count: 1,
        fault: { kind: "status", status: 429, retryAfter: 1 },
      });
      expectStatus(await api(method, path, body), 429);
    }
  });

  it("adds the apex/www sibling itself, finds domains by id or name, verifies and deletes them", async () => {
    const site = await createSite();
    const added = await api("POST", `/services/${site.id}/custom-domains`, { name: "example.org" });
    expectStatus(added, 201);
    const [apex, www] = added.body as Json[];
    assert.match(String(apex.id), /^cdm-[0-9a-v]{20}$/);
    assert.deepEqual(
      [apex.name, apex.domainType, apex.redirectForName, apex.publicSuffix, apex.verificationStatus],
      ["example.org", "apex", "", "org", "unverified"],
    );
    assert.deepEqual(
      [www.name, www.domainType, www.redirectForName],
      ["www.example.org", "subdomain", "example.org"],
    );
    const sub = await api("POST", `/services/${site.id}/custom-domains`, { name: "docs.example.co.uk" });
    assert.deepEqual(
      (sub.body as Json[]).map((d) => [d.name, d.domainType, d.publicSuffix]),
      [["docs.example.co.uk", "subdomain", "co.uk"]],
    );
    const wwwFirst = await api("POST", `/services/${site.id}/custom-domains`, { name: "www.example.net" });
    assert.deepEqual(
      (wwwFirst.body as Json[]).map((d) => [d.name, d.redirectForName]),
      [
        ["www.example.net", ""],
        ["example.net", "www.example.net"],
      ],
    );
    const list = async (q = "") =>
      ((await api("GET", `/services/${site.id}/custom-domains${q}`)).body as { customDomain: Json }[]).map(
        (e) => e.customDomain.name,
      );
    assert.equal((await list()).length, 5);
    assert.deepEqual(await list("?domainType=apex"), ["example.net", "example.org"]);
    expectStatus(await api("GET", `/services/${site.id}/custom-domains/www.example.org`), 200);
    expectStatus(await api("POST", `/services/${site.id}/custom-domains/${String(apex.id)}/verify`), 202);
    const got = (await api("GET", `/services/${site.id}/custom-domains/${String(apex.id)}`)).body as Json;
    assert.equal(got.verificationStatus, "verified");
    assert.deepEqual(got.server, { id: site.id, name: "arrakis-docs" });
    assert.deepEqual(await list("?verificationStatus=verified"), ["example.org"]);

    const web = await api("POST", "/services", webServiceBody(emu.ownerId, "web"));
    const webId = (web.body as { service: { id: string } }).service.id;
    const taken = await api("POST", `/services/${webId}/custom-domains`, { name: "www.example.org" });
    expectStatus(taken, 409);
    expect400Naming(
      await api("POST", `/services/${webId}/custom-domains`, { name: "Example.org" }),
      "lowercase",
    );
    expect400Naming(await api("POST", `/services/${webId}/custom-domains`, { name: "localhost" }), "name");
    expect400Naming(await api("POST", `/services/${webId}/custom-domains`, {}), "name");

    expectStatus(await api("DELETE", `/services/${site.id}/custom-domains/example.org`), 204);
    expectStatus(await api("DELETE", `/services/${site.id}/custom-domains/example.org`), 404);
    assert.ok((await list()).includes("www.example.org"), "the sibling stays until deleted itself");
    expectStatus(await api("DELETE", `/services/${site.id}`), 204);
    expectStatus(await api("GET", `/services/${site.id}/custom-domains`), 404);
  });
});
