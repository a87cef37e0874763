/**
 * What a preview warns about a database without changing anything (issue 23 item 5): no point-in-time
 * recovery on its plan, and a maintenance Render has scheduled on it, with its date and the call that
 * moves it. Pure: the provider reads the recovery info and the maintenance runs and writes these lines.
 */
import type { MaintenanceRun, PostgresRecoveryInfo } from "../render/schemas";
import { configCommand, type ConfigAdvice } from "../runtime/advice";

/** The database a warning names. */
export interface WarnedDatabase {
  id: string;
  name: string;
  /** Plan, API spelling (e.g. `free`). */
  plan: string;
}

/**
 * The warning for a database whose recovery status is `NOT_AVAILABLE` (Render: point-in-time recovery is
 * for paid instances only, REFERENCE §9), or undefined. `BACKUP_NOT_READY` is not warned about: recovery
 * comes once Render has taken the first backup.
 */
export function recoveryWarning(
  db: WarnedDatabase,
  info: Pick<PostgresRecoveryInfo, "recoveryStatus">,
  advice?: ConfigAdvice,
): string | undefined {
  if (info.recoveryStatus !== "NOT_AVAILABLE") return undefined;
  const command = configCommand(advice, "plan", "set", "basic-256mb");
  return (
    `warning: database ${db.name} (${db.id}) has no point-in-time recovery on plan ${db.plan.replace(/_/g, "-")} ` +
    "(Render's recovery status: NOT_AVAILABLE; Render offers it on paid plans only), so it cannot be restored " +
    "to a time. Move it to a paid plan (e.g. basic-256mb" +
    (command && advice ? `; ${advice.program}: \`${command}\`` : ", the resource's plan") +
    "), and until then keep logical exports (POST /postgres/{id}/export, kept 7 days by Render)"
  );
}

/**
 * One warning per maintenance run still to come (`scheduled`) on the database: when, the latest date
 * Render allows, and the API call that moves it (`PATCH /maintenance/{id}`, REFERENCE §9), written for
 * `apiUrl` with the key from the environment, never the key itself.
 */
export function maintenanceWarnings(db: WarnedDatabase, runs: MaintenanceRun[], apiUrl: string): string[] {
  return runs
    .filter((run) => run.resourceId === db.id && run.state === "scheduled")
    .map((run) => {
      const by = run.pendingMaintenanceBy;
      return (
        `warning: maintenance ${run.id} (${run.type}) of database ${db.name} (${db.id}) is scheduled for ` +
        `${run.scheduledAt}${by ? `, to be done by ${by} at the latest` : ""}; the database is briefly ` +
        `unavailable while it runs. To move it${by ? ` (to a time before ${by})` : ""}: ` +
        `curl -X PATCH ${apiUrl.replace(/\/+$/, "")}/maintenance/${run.id} -H "Authorization: Bearer $RENDER_API_KEY" ` +
        `-H "Content-Type: application/json" -d '{"scheduledAt":"<RFC 3339 time>"}'`
      );
    });
}
