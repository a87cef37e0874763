import { strict as assert } from "node:assert";
import { choosePulumi, localPulumiArgs } from "../../tools/localArgs";

// `npm run local -- destroy` failed at once ("--yes … must be passed in … non-interactive mode") though the
// README gives it as is.
describe("npm run local's pulumi arguments", () => {
  it("confirms up, destroy and refresh, which the non-interactive CLI refuses otherwise", () => {
    assert.deepEqual(localPulumiArgs([]), ["up", "--yes"]);
    assert.deepEqual(localPulumiArgs(["destroy"]), ["destroy", "--yes"]);
    assert.deepEqual(localPulumiArgs(["refresh"]), ["refresh", "--yes"]);
    assert.deepEqual(localPulumiArgs(["up", "--diff"]), ["up", "--diff", "--yes"]);
  });

  it("leaves other commands, and the user's own choice, as given", () => {
    assert.deepEqual(localPulumiArgs(["preview"]), ["preview"]);
    assert.deepEqual(localPulumiArgs(["stack", "output"]), ["stack", "output"]);
    assert.deepEqual(localPulumiArgs(["up", "--preview-only"]), ["up", "--preview-only"]);
    assert.deepEqual(localPulumiArgs(["destroy", "-y"]), ["destroy", "-y"]);
    assert.deepEqual(localPulumiArgs(["refresh", "--skip-preview"]), ["refresh", "--skip-preview"]);
  });
});

describe("npm run local's choice of pulumi", () => {
  const installed = (version: string, languageHost = true) => ({ version, dir: "/opt/pulumi", languageHost });

  it("runs an official install on PATH when it is new enough and has the Node language host", () => {
    assert.deepEqual(choosePulumi({ onPath: installed("v3.248.0") }), {
      kind: "path",
      dir: "/opt/pulumi",
      version: "v3.248.0",
    });
    assert.equal(choosePulumi({ onPath: installed("v3.301.2") }).kind, "path");
  });

  it("builds one, saying why, when PATH has none that fits", () => {
    const reason = (onPath?: ReturnType<typeof installed>) => {
      const choice = choosePulumi({ onPath });
      return choice.kind === "build" ? choice.reason : `chose ${choice.kind}`;
    };
    assert.equal(reason(undefined), "no pulumi on PATH");
    assert.match(reason(installed("v3.247.9")), /older than v3\.248\.0/);
    assert.match(reason(installed("v2.99.0")), /older than/);
    assert.match(reason(installed("v3.250.0", false)), /no pulumi-language-nodejs/);
  });

  it("obeys ARRAKIS_PULUMI, refusing path when the one on PATH cannot run the program", () => {
    assert.equal(choosePulumi({ force: "build", onPath: installed("v3.250.0") }).kind, "build");
    assert.equal(choosePulumi({ force: "path", onPath: installed("v3.250.0") }).kind, "path");
    assert.throws(
      () => choosePulumi({ force: "path", onPath: installed("v3.100.0") }),
      /ARRAKIS_PULUMI=path: pulumi v3\.100\.0 on PATH is older than v3\.248\.0/,
    );
    assert.throws(
      () => choosePulumi({ force: "yes" }),
      /ARRAKIS_PULUMI: "yes" is not allowed; allowed: "build", "path"/,
    );
  });
});
