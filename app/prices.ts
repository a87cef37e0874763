/**
 * Monthly list prices of the Render plans this product creates, in US dollars.
 *
 * Source: the seed's own cost figures (../shared/seed/deployment-patterns.md, "Cost Management",
 * last updated 2025-09-29): Postgres basic-256mb $7/month, web service starter $5/month. Other
 * figures: third-party notes collected in ../shared/render-api/REFERENCE.md §8 (2026-11), and for the
 * kinds of issue 25 third-party notes found in public repositories (2026-12; named by each figure).
 * Render's official pricing page is not reachable from here, so every figure is UNCONFIRMED; where
 * sources disagree we keep the seed's figure (what the team budgets with) and note the other. A plan
 * missing here has no known price: cost reports say so instead of guessing zero.
 */
export const priceTable = {
  source: "seed deployment-patterns.md (2025-09-29) and REFERENCE.md §8 (2026-11); UNCONFIRMED",
  postgres: {
    free: 0,
    // Most third-party notes say $6; the seed says $7 (kept).
    basic_256mb: 7,
    basic_1gb: 19,
  } as Record<string, number>,
  /**
   * Instance types of every service that runs (web service, background worker, private service): Render
   * bills an instance type the same whatever runs on it (the third-party notes list one table).
   */
  webService: {
    free: 0,
    // Most third-party notes say $7; the seed says $5 (kept).
    starter: 5,
    standard: 25,
    pro: 85,
    pro_plus: 175,
    pro_max: 225,
    pro_ultra: 450,
  } as Record<string, number>,
  /**
   * Key Value plans. Starter $10: several third-party notes (2026-09, and older ones on Render's Redis);
   * standard $32: one note only. pro and pro_plus: no figure found (no known price).
   */
  keyValue: {
    free: 0,
    starter: 10,
    standard: 32,
  } as Record<string, number>,
  /**
   * A cron job is billed per second of its runs, never by the month: the rate per minute of run time. One
   * third-party note (2026): starter $0.00016, standard $0.00058 a minute.
   */
  cronJobPerMinute: {
    starter: 0.00016,
    standard: 0.00058,
  } as Record<string, number>,
  /** A persistent disk, per GB of its size a month (one third-party note quoting render.com/pricing: $0.25). */
  diskPerGbMonth: 0.25,
  /** A static site has no plan: its hosting is included (third-party notes; Render's free static sites). */
  staticSite: 0,
};

/** Monthly cost of one database plan, or undefined when the plan has no known price. */
export function postgresMonthlyUsd(plan: string, highAvailability = false): number | undefined {
  const base = priceTable.postgres[plan];
  // A high-availability standby is billed as a second instance of the same plan.
  return base === undefined ? undefined : highAvailability ? base * 2 : base;
}

/** Monthly cost of one web service plan times its instances, or undefined when unknown. */
export function webServiceMonthlyUsd(plan: string, numInstances = 1): number | undefined {
  const base = priceTable.webService[plan];
  return base === undefined ? undefined : base * numInstances;
}

/**
 * Monthly cost of a background worker or private service: its instance type times its instances, or
 * undefined when unknown. Render offers these kinds no free instance type, so `free` has no price here.
 */
export function workerMonthlyUsd(plan: string, numInstances = 1): number | undefined {
  if (plan === "free") return undefined;
  return webServiceMonthlyUsd(plan, numInstances);
}

/** Monthly cost of one Key Value plan, or undefined when the plan has no known price. */
export function keyValueMonthlyUsd(plan: string): number | undefined {
  return priceTable.keyValue[plan];
}

/** Price of a cron job's run time per minute on its plan, or undefined when unknown. */
export function cronJobUsdPerMinute(plan: string): number | undefined {
  return priceTable.cronJobPerMinute[plan];
}

/** Monthly cost of a persistent disk of `sizeGB`, or undefined when the size is not a positive number. */
export function diskMonthlyUsd(sizeGB: number): number | undefined {
  if (!Number.isFinite(sizeGB) || sizeGB <= 0) return undefined;
  // In cents, so that 0.25 × 15 GB prints $3.75, not a float's tail.
  return Math.round(sizeGB * priceTable.diskPerGbMonth * 100) / 100;
}
