import { strict as assert } from "node:assert";
import {
  checkStaticSiteInputs,
  diffStaticSite,
  fromStaticSite,
  needsRedeploy,
  staticSiteAdoptionChanges,
  toCreateStaticSiteBody,
  toPatchStaticSiteBody,
  type LiveStaticSite,
  type StaticSiteInputs,
} from "../../../components/staticSite/mapping";

const OWNER = "tea-d303qfodl3ps739p3e60";

function desired(extra: Record<string, unknown> = {}): StaticSiteInputs {
  const { inputs, failures } = checkStaticSiteInputs({
    name: "docs",
    ownerId: OWNER,
    repo: "https://github.com/example/docs",
    buildCommand: "npm run build",
    publishPath: "dist",
    previews: "automatic",
    headers: [
      { path: "/*", name: "X-Frame-Options", value: "DENY" },
      { path: "/assets/*", name: "Cache-Control", value: "max-age=60" },
    ],
    routes: [
      { type: "redirect", source: "/old", destination: "/new" },
      { type: "rewrite", source: "/*", destination: "/index.html" },
    ],
    ...extra,
  });
  assert.deepEqual(failures, []);
  return inputs as StaticSiteInputs;
}

function live(
  extra: Partial<LiveStaticSite["site"]> = {},
  details: Record<string, unknown> = {},
): LiveStaticSite {
  return {
    site: {
      id: "srv-a",
      name: "docs",
      ownerId: OWNER,
      type: "static_site",
      repo: "https://github.com/example/docs",
      branch: "main",
      rootDir: "",
      autoDeploy: "no",
      serviceDetails: {
        buildCommand: "npm run build",
        publishPath: "dist",
        previews: { generation: "automatic" },
        pullRequestPreviewsEnabled: "yes",
        renderSubdomainPolicy: "enabled",
        url: "https://docs.onrender.com",
        ...details,
      },
      ...extra,
    },
    // Render lists headers newest first: the order means nothing.
    headers: [
      { path: "/assets/*", name: "Cache-Control", value: "max-age=60" },
      { path: "/*", name: "X-Frame-Options", value: "DENY" },
    ],
    routes: [
      { type: "rewrite", source: "/*", destination: "/index.html", priority: 1 },
      { type: "redirect", source: "/old", destination: "/new", priority: 0 },
    ],
  };
}

describe("RenderStaticSite mapping", () => {
  it("a live site equal to the inputs is no change (headers a set, routes by priority, branch left out)", () => {
    assert.deepEqual(diffStaticSite(desired(), live()), { changed: [], replaced: [] });
  });

  it("drift field by field: settings in place, the environment by replacement", () => {
    const cases: [Partial<LiveStaticSite["site"]>, Record<string, unknown>, string][] = [
      [{ name: "docs-2" }, {}, "name"],
      [{ repo: "https://github.com/example/other" }, {}, "repo"],
      [{ rootDir: "web" }, {}, "rootDir"],
      [{ autoDeploy: "yes" }, {}, "autoDeploy"],
      [{}, { buildCommand: "make" }, "buildCommand"],
      [{}, { publishPath: "public" }, "publishPath"],
      [{}, { previews: { generation: "off" }, pullRequestPreviewsEnabled: "no" }, "previews"],
      [{}, { renderSubdomainPolicy: "disabled" }, "renderSubdomainPolicy"],
    ];
    for (const [site, details, field] of cases)
      assert.deepEqual(
        diffStaticSite(desired(), live(site, details)),
        { changed: [field], replaced: [] },
        field,
      );
    // Another environment is a move in place (POST /environments/{id}/resources), never a replace.
    assert.deepEqual(diffStaticSite(desired({ environmentId: "evm-abc" }), live()), {
      changed: ["environmentId"],
      replaced: [],
    });
  });

  it("objects compare by value whatever the order of their keys (the engine sorts them)", () => {
    const sorted = desired();
    sorted.routes = sorted.routes.map((r) => ({
      destination: r.destination,
      source: r.source,
      type: r.type,
    }));
    sorted.headers = sorted.headers.map((h) => ({ name: h.name, path: h.path, value: h.value }));
    assert.deepEqual(diffStaticSite(sorted, live()), { changed: [], replaced: [] });
  });

  it("rules: a changed header value and a reordered route are drift", () => {
    const l = live();
    l.headers[0] = { ...l.headers[0], value: "no-store" };
    l.routes = l.routes.map((r) => ({ ...r, priority: 1 - r.priority }));
    assert.deepEqual(diffStaticSite(desired(), l).changed, ["headers", "routes"]);
  });

  it("previews: the legacy flag alone is read as automatic or off", () => {
    const l = live({}, { previews: undefined, pullRequestPreviewsEnabled: "yes" });
    assert.equal(fromStaticSite(l).previews, "automatic");
    assert.equal(
      fromStaticSite(live({}, { previews: null, pullRequestPreviewsEnabled: "no" })).previews,
      "off",
    );
  });

  it("an import reads every live setting; a refresh keeps to the fields the state has", () => {
    assert.equal(fromStaticSite(live()).branch, "main");
    assert.equal(fromStaticSite(live(), desired()).branch, undefined);
    assert.deepEqual(
      fromStaticSite(live({ buildFilter: { paths: ["src/**"], ignoredPaths: [] } })).buildFilter,
      { paths: ["src/**"], ignoredPaths: [] },
    );
  });

  it("the create body carries the rules; the patch only what differs, rules never", () => {
    const body = toCreateStaticSiteBody(desired());
    assert.equal(body.type, "static_site");
    assert.deepEqual(body.serviceDetails, {
      buildCommand: "npm run build",
      publishPath: "dist",
      previews: { generation: "automatic" },
      renderSubdomainPolicy: "enabled",
      headers: desired().headers,
      routes: desired().routes,
    });
    assert.equal("branch" in body, false);
    assert.equal("envVars" in body, false);
    const envVars = [
      { key: "NODE_VERSION", value: "20" },
      { key: "SALT", generateValue: true as const },
    ];
    assert.deepEqual(toCreateStaticSiteBody(desired(), envVars).envVars, envVars);
    const patch = toPatchStaticSiteBody(
      desired(),
      live({ autoDeploy: "yes" }, { publishPath: "out", routes: [] }),
    );
    assert.deepEqual(patch, { autoDeploy: "no", serviceDetails: { publishPath: "dist" } });
  });

  it("a new build only for build settings; adoption lines show both sides", () => {
    assert.equal(needsRedeploy(["publishPath"]), true);
    assert.equal(needsRedeploy(["headers", "routes", "previews", "name"]), false);
    assert.deepEqual(staticSiteAdoptionChanges(desired(), live({}, { buildCommand: "make" })), [
      '~ buildCommand: "make" => "npm run build"',
    ]);
  });

  it("env vars are not settings: the settings diff and patch leave them to the provider; adoption lists them", () => {
    const withVars = desired({
      envVars: {
        NODE_VERSION: { kind: "plain", value: "20" },
        TOKEN: { kind: "secret", value: "tok-secret" },
        SITE_URL: { kind: "serviceUrl" },
      },
    });
    assert.deepEqual(diffStaticSite(withVars, live()), { changed: [], replaced: [] });
    assert.deepEqual(toPatchStaticSiteBody(withVars, live()), {});
    assert.deepEqual(
      staticSiteAdoptionChanges(withVars, live(), { NODE_VERSION: "18", TOKEN: "tok-old", OLD: "x" }),
      [
        '~ env var NODE_VERSION: "18" => "20"',
        '+ add env var SITE_URL = "https://docs.onrender.com"',
        "~ env var TOKEN: [secret] differs from the config's; set to the config's",
        "- remove env var OLD (set outside Pulumi, not in the config; value not shown)",
      ],
    );
  });
});
