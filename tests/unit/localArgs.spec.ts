import { strict as assert } from "node:assert";
import { localPulumiArgs } from "../../tools/localArgs";

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
