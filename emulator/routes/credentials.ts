/**
 * Postgres users (render.com/docs/postgresql-credentials, REFERENCE §9): `GET /postgres/{id}/credentials` lists
 * them, `POST` with `{ username }` makes a new user that becomes the default (connection info returns it) and can
 * do everything the previous one could, `DELETE /postgres/{id}/credentials/{username}` removes one; the others
 * keep working. Each is a real role of the real database (see the backends' `setUsers`).
 */
import type { EmulatorCore } from "../core";
import { ApiError, badRequest, notFound } from "../errors";
import { newPassword } from "../ids";
import { postgresStatus } from "../lifecycle/postgres";
import type { Router } from "../router";
import type { PostgresRecord } from "../state/model";
import { iso, requirePostgres } from "./common";
import { objectBody, stringField } from "./validate";

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;
const MAX_USER = 63;

/** The users of a database, the original first. */
export function usersOf(db: PostgresRecord): { username: string; password: string; createdAt: number }[] {
  return db.users ?? [{ username: db.databaseUser, password: db.password, createdAt: db.createdAt }];
}

/** The user and password that connection info gives. */
export function defaultLogin(db: PostgresRecord): { username: string; password: string } {
  const name = db.defaultUser ?? db.databaseUser;
  return usersOf(db).find((u) => u.username === name) ?? { username: db.databaseUser, password: db.password };
}

/** Registers the credentials routes. */
export function registerCredentialRoutes(router: Router, core: EmulatorCore): void {
  router.add("GET", "/postgres/:postgresId/credentials", ({ params }) => {
    const db = requirePostgres(core, params.postgresId);
    const defaultUser = defaultLogin(db).username;
    return {
      status: 200,
      body: usersOf(db).map((u) => ({
        username: u.username,
        default: u.username === defaultUser,
        createdAt: iso(u.createdAt),
        // UNCONFIRMED what Render counts; the emulator does not count connections.
        openConnections: 0,
      })),
    };
  });

  router.add("POST", "/postgres/:postgresId/credentials", async ({ params, body }) => {
    const db = requirePostgres(core, params.postgresId);
    const username = stringField(objectBody(body), "username", "username", true);
    if (!IDENTIFIER.test(username) || username.length > MAX_USER) {
      throw badRequest(
        `invalid username ${JSON.stringify(username)}: use at most ${MAX_USER} lower-case letters, digits and ` +
          "underscores, not starting with a digit",
      );
    }
    requireAvailable(core, db);
    const before = usersOf(db);
    // The spec lists no 409 for this route: a taken name is a 400.
    if (before.some((u) => u.username === username)) throw badRequest(`user ${username} already exists`);
    const previousDefault = db.defaultUser;
    db.users = [...before, { username, password: newPassword(), createdAt: core.clock.now() }];
    db.defaultUser = username;
    await apply(core, db, () => {
      db.users = before;
      db.defaultUser = previousDefault;
    });
    return { status: 202 };
  });

  router.add("DELETE", "/postgres/:postgresId/credentials/:username", async ({ params }) => {
    const db = requirePostgres(core, params.postgresId);
    const before = usersOf(db);
    if (!before.some((u) => u.username === params.username)) throw notFound(params.username);
    // UNCONFIRMED what Render answers; the spec lists no 409 here, so a 400 that says why.
    if (defaultLogin(db).username === params.username) {
      throw badRequest(
        `cannot delete ${params.username}: it is the default user; create another user first (it becomes the default)`,
      );
    }
    requireAvailable(core, db);
    db.users = before.filter((u) => u.username !== params.username);
    await apply(core, db, () => (db.users = before));
    return { status: 200 };
  });
}

/** UNCONFIRMED what Render answers while the database is not available; refusing is never kinder. */
function requireAvailable(core: EmulatorCore, db: PostgresRecord): void {
  const status = postgresStatus(db, core.clock.now(), core.backendState(db.id));
  if (status !== "available") {
    throw badRequest(
      `cannot change the users of postgres ${db.id} while it is ${status}: it must be available`,
    );
  }
}

/** Applies the users to the real database; on failure restores the record and answers 500 (no secrets). */
async function apply(core: EmulatorCore, db: PostgresRecord, undo: () => void): Promise<void> {
  try {
    await core.applyUsers(db);
  } catch (error) {
    let message = error instanceof Error ? error.message : String(error);
    for (const u of usersOf(db)) message = message.split(u.password).join("***");
    undo();
    console.error(`render emulator: users of ${db.id}: ${message}`);
    throw new ApiError(500, "internal server error: could not change the database users");
  } finally {
    core.changed();
  }
}
