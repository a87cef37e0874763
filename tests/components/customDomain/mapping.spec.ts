import { strict as assert } from "node:assert";
import {
  checkCustomDomainInputs,
  diffCustomDomain,
  fromCustomDomain,
  isRenderSibling,
  pickDomain,
  siblingsOf,
  type CustomDomainInputs,
} from "../../../components/customDomain/mapping";
import {
  customDomainImmutableFields,
  customDomainProviderOptions,
} from "../../../components/customDomain/schema";

const SERVICE = "srv-abc";

function inputs(raw: Record<string, unknown>): CustomDomainInputs {
  const result = checkCustomDomainInputs(raw);
  assert.deepEqual(result.failures, []);
  return result.inputs as CustomDomainInputs;
}

function failures(raw: Record<string, unknown>): string[] {
  return checkCustomDomainInputs(raw).failures.map((f) => `${f.property}: ${f.reason}`);
}

const apex = {
  id: "cdm-1",
  name: "example.org",
  domainType: "apex",
  verificationStatus: "unverified",
  redirectForName: "",
  publicSuffix: "org",
};
const www = {
  ...apex,
  id: "cdm-2",
  name: "www.example.org",
  domainType: "subdomain",
  redirectForName: "example.org",
};

describe("RenderCustomDomain schema and mapping", () => {
  it("normalises the name (case, trailing dot) and fills the provider's options", () => {
    assert.deepEqual(inputs({ name: " Example.ORG. ", serviceId: SERVICE }), {
      name: "example.org",
      serviceId: SERVICE,
      verify: false,
      adoptExisting: false,
      allowReplacement: false,
    });
    assert.equal(inputs({ name: "*.example.org", serviceId: SERVICE }).name, "*.example.org");
    assert.deepEqual(customDomainImmutableFields, ["name", "serviceId"]);
    assert.deepEqual(customDomainProviderOptions, ["verify", "adoptExisting", "adoptId", "allowReplacement"]);
  });

  it("names the field of a bad name or service id", () => {
    assert.match(
      failures({ name: "localhost", serviceId: SERVICE })[0],
      /^name: "localhost" is not a domain name/,
    );
    assert.match(failures({ name: "ex_ample.org", serviceId: SERVICE })[0], /^name: .*Punycode/);
    assert.match(
      failures({ name: "example.org", serviceId: "dpg-x" })[0],
      /^serviceId: must be a Render service id/,
    );
    assert.match(failures({ name: "example.org" })[0], /^serviceId: is required/);
  });

  it("a live domain of the same name and service is no change; another one is a replacement", () => {
    const want = inputs({ name: "example.org", serviceId: SERVICE });
    assert.deepEqual(diffCustomDomain(want, apex, SERVICE), { changed: [], replaced: [] });
    assert.deepEqual(diffCustomDomain(want, apex, "srv-other"), { changed: [], replaced: ["serviceId"] });
    assert.deepEqual(diffCustomDomain({ ...want, name: "example.net" }, apex, SERVICE).replaced, ["name"]);
    assert.deepEqual(fromCustomDomain(apex, SERVICE, want), want);
  });

  it("Render's sibling: found by redirectForName, picked out of the create's answer", () => {
    assert.deepEqual(siblingsOf([apex, www], "example.org"), [www]);
    assert.deepEqual(siblingsOf([apex, www], "www.example.org"), []);
    assert.equal(pickDomain([apex, www], "example.org"), apex);
    assert.equal(isRenderSibling(www), true);
    assert.equal(isRenderSibling(apex), false);
  });
});
