/**
 * The seed's Development settings (`.env.local`, ../shared/seed/deployment-patterns.md) for a stack,
 * as `npm run dev-env` (tools/devEnv.ts) prints them. Pure: unit-tested in tests/tools/devEnvFormat.spec.ts.
 *
 * | key | value |
 * |---|---|
 * | `DATABASE_URL`, `DIRECT_URL` | the stack's external connection string, with `sslmode=require` |
 * | `NODE_ENV` | `development` |
 * | `PORT` | `3000` |
 * | `NEXTAUTH_SECRET` | a placeholder; revealed: a fresh random one, never production's |
 * | `NEXTAUTH_URL` | `http://localhost:3000` |
 * | `OPENAI_API_KEY` | a placeholder; revealed: the stack's `arrakis:openaiApiKey` |
 *
 * Without `--reveal` every secret is a placeholder (the connection string included: reading it needs
 * `--show-secrets`), so the output can be shown or pasted anywhere.
 */

/** The seed's placeholders (deployment-patterns.md, "Development (.env.local)"). */
export const placeholders = {
  databaseUrl: "[secret]",
  nextauthSecret: "development-secret-change-in-production",
  openaiApiKey: "sk-...",
} as const;

/** The stack's real values, present only when revealing. */
export interface RevealedValues {
  externalConnectionString: string;
  openaiApiKey: string;
  /** A fresh secret for local sessions (see {@link devEnvText}). */
  nextauthSecret: string;
}

/**
 * `url` with `sslmode=require` (Render refuses plain-text connections from outside; its external
 * string carries no sslmode). An sslmode already in the string is the owner's choice and stays.
 */
export function withSslmodeRequire(url: string): string {
  const hash = url.indexOf("#");
  const [base, fragment] = hash >= 0 ? [url.slice(0, hash), url.slice(hash)] : [url, ""];
  if (/[?&]sslmode=/.test(base)) return url;
  const sep = base.includes("?") ? (base.endsWith("?") || base.endsWith("&") ? "" : "&") : "?";
  return `${base}${sep}sslmode=require${fragment}`;
}

/**
 * `KEY="value"` as dotenv reads it. Next.js expands `$NAME` in .env files (dotenv-expand), so `$` is
 * escaped (`\$`, which dotenv-expand turns back into `$`): a password holding one arrives intact. dotenv
 * has no escape for `"` or `\` in a double-quoted value (it keeps the backslash), so a value holding
 * one, or a line break, is refused naming the key rather than written wrong (Render's connection strings,
 * API keys and base64 secrets hold none).
 */
export function dotenvLine(key: string, value: string): string {
  if (/["\\\r\n]/.test(value))
    throw new Error(
      `${key}: the value holds a quote, backslash or line break, which .env files cannot carry`,
    );
  return `${key}="${value.replace(/\$/g, "\\$")}"`;
}

/** The settings, key → value, in the seed's order. */
export function devEnvValues(revealed?: RevealedValues): Array<[string, string]> {
  const databaseUrl = revealed
    ? withSslmodeRequire(revealed.externalConnectionString)
    : placeholders.databaseUrl;
  return [
    ["DATABASE_URL", databaseUrl],
    ["DIRECT_URL", databaseUrl],
    ["NODE_ENV", "development"],
    ["PORT", "3000"],
    ["NEXTAUTH_SECRET", revealed ? revealed.nextauthSecret : placeholders.nextauthSecret],
    ["NEXTAUTH_URL", "http://localhost:3000"],
    ["OPENAI_API_KEY", revealed ? revealed.openaiApiKey : placeholders.openaiApiKey],
  ];
}

/** The whole `.env.local` text for `stack`, with a header saying what it is and what is a placeholder. */
export function devEnvText(stack: string, revealed?: RevealedValues): string {
  const header = revealed
    ? [
        `# Development settings of the arrakis stack ${stack} (npm run dev-env -- --stack ${stack} --reveal).`,
        "# Real secrets: keep this file out of git. DATABASE_URL is the stack's database; NEXTAUTH_SECRET is",
        "# a fresh one for local sessions (production's would make a local session valid in production).",
      ]
    : [
        `# Development settings of the arrakis stack ${stack} (npm run dev-env -- --stack ${stack}).`,
        "# DATABASE_URL, DIRECT_URL, NEXTAUTH_SECRET and OPENAI_API_KEY are placeholders; add --reveal for the",
        "# stack's real values.",
      ];
  const body = devEnvValues(revealed).map(([key, value]) => dotenvLine(key, value));
  return `${[...header, ...body].join("\n")}\n`;
}
