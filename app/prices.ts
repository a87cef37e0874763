/**
 * Monthly list prices of the Render plans this product creates, in US dollars.
 *
 * Source: the seed's own cost figures (../shared/seed/deployment-patterns.md, "Cost Management",
 * last updated 2025-09-29): Postgres basic-256mb $7/month, web service starter $5/month. Other
 * figures: third-party notes collected in ../shared/render-api/REFERENCE.md §8 (2026-11). Render's
 * official pricing page is not reachable from here, so every figure is UNCONFIRMED; where sources
 * disagree we keep the seed's figure (what the team budgets with) and note the other. A plan missing
 * here has no known price: cost reports say so instead of guessing zero.
 */
export const priceTable = {
  source: "seed deployment-patterns.md (2025-09-29) and REFERENCE.md §8 (2026-11); UNCONFIRMED",
  postgres: {
    free: 0,
    // Most third-party notes say $6; the seed says $7 (kept).
    basic_256mb: 7,
    basic_1gb: 19,
  } as Record<string, number>,
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
