/** `GET /owners`, `GET /owners/{ownerId}`. */
import type { EmulatorCore } from "../core";
import type { Router } from "../router";
import { ownerJson, requireOwner } from "./common";
import { paginate } from "./pagination";
import { queryList } from "./validate";

/** Registers the owner routes. */
export function registerOwnerRoutes(router: Router, core: EmulatorCore): void {
  router.add("GET", "/owners", ({ query }) => {
    const names = queryList(query, "name");
    const emails = queryList(query, "email");
    const owners = core
      .visibleOwners()
      .filter((o) => (!names || names.includes(o.name)) && (!emails || emails.includes(o.email)))
      .map((o, i) => ({ ...o, seq: i + 1 }));
    return { status: 200, body: paginate(owners, query, "owner", ownerJson) };
  });
  // The key's user: the workspace's name and email stand in for it.
  router.add("GET", "/users", () => {
    const owner = core.state.owners.get(core.ownerId)!;
    return { status: 200, body: { email: owner.email, name: owner.name } };
  });
  router.add("GET", "/owners/:ownerId", ({ params }) => ({
    status: 200,
    body: ownerJson(requireOwner(core, params.ownerId)),
  }));
}
