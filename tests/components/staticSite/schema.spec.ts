import { strict as assert } from "node:assert";
import { checkStaticSiteInputs } from "../../../components/staticSite/mapping";
import {
  staticSiteDeploySettings,
  staticSiteImmutableFields,
  staticSiteProviderOptions,
} from "../../../components/staticSite/schema";
import { unknownSentinel } from "../../../components/runtime/validation";

const OWNER = "tea-d303qfodl3ps739p3e60";
const base = { name: "arrakis-docs", ownerId: OWNER, repo: "https://github.com/example/docs" };

function failures(raw: Record<string, unknown>): string[] {
  return checkStaticSiteInputs(raw).failures.map((f) => `${f.property}: ${f.reason}`);
}

function inputs(raw: Record<string, unknown>): Record<string, unknown> {
  const result = checkStaticSiteInputs(raw);
  assert.deepEqual(result.failures, []);
  return result.inputs;
}

// The schema, field by field: messages name the field and what is allowed; defaults; metadata.
describe("RenderStaticSite schema", () => {
  it("fills the defaults: root folder, no build command, publish path public, previews off, no rules", () => {
    assert.deepEqual(inputs(base), {
      ...base,
      rootDir: "",
      buildCommand: "",
      publishPath: "public",
      autoDeploy: false,
      previews: "off",
      renderSubdomainPolicy: "enabled",
      headers: [],
      routes: [],
      envVars: {},
      adoptExisting: false,
      allowReplacement: false,
    });
  });

  it("says which fields replace the site, which build again, and which only the provider sees", () => {
    assert.deepEqual(staticSiteImmutableFields, ["ownerId"]);
    assert.deepEqual(staticSiteDeploySettings, [
      "repo",
      "branch",
      "rootDir",
      "buildCommand",
      "publishPath",
      "buildFilter",
    ]);
    assert.deepEqual(staticSiteProviderOptions, ["adoptExisting", "adoptId", "allowReplacement"]);
  });

  it("takes render.yaml's spellings: staticPublishPath, previews.generation, pullRequestPreviewsEnabled, yes/no", () => {
    const got = inputs({
      ...base,
      staticPublishPath: "dist",
      previews: { generation: "manual" },
      autoDeploy: "yes",
      repo: "https://github.com/example/docs.git",
    });
    assert.equal(got.publishPath, "dist");
    assert.equal(got.previews, "manual");
    assert.equal(got.autoDeploy, true);
    assert.equal(got.repo, "https://github.com/example/docs");
    assert.equal(inputs({ ...base, pullRequestPreviewsEnabled: true }).previews, "automatic");
    assert.equal(inputs({ ...base, pullRequestPreviewsEnabled: "no" }).previews, "off");
  });

  it("previews and renderSubdomainPolicy name their allowed values", () => {
    assert.deepEqual(failures({ ...base, previews: "always" }), [
      'previews: "always" is not a preview generation; allowed: "off", "manual", "automatic"',
    ]);
    assert.match(failures({ ...base, renderSubdomainPolicy: "off" })[0], /allowed: "enabled", "disabled"/);
  });

  it("publishPath and rootDir stay inside the repository", () => {
    assert.match(
      failures({ ...base, publishPath: "/srv/www" })[0],
      /^publishPath: must be a path inside the repository/,
    );
    assert.match(
      failures({ ...base, rootDir: "../other" })[0],
      /^rootDir: must be a path inside the repository/,
    );
  });

  it("headers: a path starting with /, an HTTP header name, a value; one header once per path", () => {
    const ok = { path: "/*", name: "X-Frame-Options", value: "DENY" };
    assert.deepEqual(inputs({ ...base, headers: [ok] }).headers, [ok]);
    assert.deepEqual(failures({ ...base, headers: [{ ...ok, path: "*" }] }), [
      'headers[0].path: must start with / (e.g. /* or /assets/*; got "*")',
    ]);
    assert.deepEqual(failures({ ...base, headers: [{ ...ok, name: "X Frame" }] }), [
      'headers[0].name: "X Frame" is not an HTTP header name',
    ]);
    assert.match(
      failures({ ...base, headers: [{ path: "/*", name: "A" }] })[0],
      /^headers\[0\]\.value: is required/,
    );
    assert.deepEqual(failures({ ...base, headers: [ok, { ...ok, name: "x-frame-options", value: "x" }] }), [
      "headers[1]: header x-frame-options is listed twice for path /*: give it once",
    ]);
  });

  it("routes: redirect or rewrite, a source starting with /, a destination; a source once", () => {
    const ok = { type: "rewrite", source: "/*", destination: "/index.html" };
    assert.deepEqual(inputs({ ...base, routes: [ok] }).routes, [ok]);
    assert.deepEqual(failures({ ...base, routes: [{ ...ok, type: "proxy" }] }), [
      'routes[0].type: "proxy" is not a route type; allowed: "redirect", "rewrite"',
    ]);
    assert.match(
      failures({ ...base, routes: [{ ...ok, source: "old" }] })[0],
      /^routes\[0\]\.source: must start with \//,
    );
    assert.deepEqual(failures({ ...base, routes: [ok, { ...ok, type: "redirect" }] }), [
      "routes[1].source: /* is matched by an earlier rule already: only the first applies",
    ]);
  });

  it("envVars: a service's kinds and links; keys checked, a secret value unknown in preview kept as is", () => {
    const envVars = {
      NODE_VERSION: { kind: "plain", value: "14" },
      API_TOKEN: { kind: "secret", value: "s3cret" },
      BUILD_SALT: { kind: "generated" },
      DATABASE_URL: { kind: "linked", database: "dpg-abc-a", property: "connectionString" },
      SITE_URL: { kind: "serviceUrl" },
    };
    assert.deepEqual(inputs({ ...base, envVars }).envVars, envVars);
    assert.deepEqual(failures({ ...base, envVars: { "1BAD": { kind: "plain", value: "x" } } }), [
      "envVars.1BAD: is not a valid env var key: use letters, digits and '_', not starting with a digit",
    ]);
    assert.match(
      failures({ ...base, envVars: { A: { kind: "constant", value: "x" } } })[0],
      /^envVars\.A\.kind: must be one of "plain", "secret", "generated", "linked", "serviceUrl"/,
    );
    assert.deepEqual(failures({ ...base, envVars: { A: { kind: "linked", property: "host" } } }), [
      'envVars.A: a linked value needs {database, property}; property is one of "connectionString", "internalConnectionString", "externalConnectionString", "host", "port", "user", "password", "database", "hostport"',
    ]);
    assert.deepEqual(failures({ ...base, envVars: { A: { kind: "generated", value: "x" } } }), [
      "envVars.A: a generated value is made by Render; give no value",
    ]);
    const unknown = { TOKEN: { kind: "secret", value: unknownSentinel } };
    assert.deepEqual(inputs({ ...base, envVars: unknown }).envVars, unknown);
  });

  it("names a typo of a field and lets unknown preview values through", () => {
    assert.match(
      failures({ ...base, publishDir: "dist" })[0],
      /^publishDir: is not a RenderStaticSite argument; allowed: name, /,
    );
    assert.equal(inputs({ ...base, buildCommand: unknownSentinel }).buildCommand, unknownSentinel);
    assert.match(
      failures({ ...base, adoptId: "dpg-x" })[0],
      /^adoptId: must be a Render service id like "srv-…"/,
    );
  });
});
