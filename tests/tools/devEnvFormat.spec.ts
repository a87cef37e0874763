import { strict as assert } from "node:assert";
import { devEnvText, devEnvValues, dotenvLine, withSslmodeRequire } from "../../tools/devEnvFormat";

describe("dev env: the seed's Development settings for a stack", () => {
  it("without --reveal: the seed's keys in its order, every secret a placeholder", () => {
    assert.equal(
      devEnvText("prod"),
      [
        "# Development settings of the arrakis stack prod (npm run dev-env -- --stack prod).",
        "# DATABASE_URL, DIRECT_URL, NEXTAUTH_SECRET and OPENAI_API_KEY are placeholders; add --reveal for the",
        "# stack's real values.",
        'DATABASE_URL="[secret]"',
        'DIRECT_URL="[secret]"',
        'NODE_ENV="development"',
        'PORT="3000"',
        'NEXTAUTH_SECRET="development-secret-change-in-production"',
        'NEXTAUTH_URL="http://localhost:3000"',
        'OPENAI_API_KEY="sk-..."',
        "",
      ].join("\n"),
    );
  });

  it("revealed: the external connection string with sslmode=require, the stack's OpenAI key, a fresh NEXTAUTH_SECRET", () => {
    const values = Object.fromEntries(
      devEnvValues({
        externalConnectionString:
          "postgresql://arrakis_prod_user:pw@dpg-abc-a.oregon-postgres.render.com/arrakis_production_bq3v",
        openaiApiKey: "sk-real",
        nextauthSecret: "fresh",
      }),
    );
    const url =
      "postgresql://arrakis_prod_user:pw@dpg-abc-a.oregon-postgres.render.com/arrakis_production_bq3v?sslmode=require";
    assert.deepEqual(values, {
      DATABASE_URL: url,
      DIRECT_URL: url,
      NODE_ENV: "development",
      PORT: "3000",
      NEXTAUTH_SECRET: "fresh",
      NEXTAUTH_URL: "http://localhost:3000",
      OPENAI_API_KEY: "sk-real",
    });
    assert.match(
      devEnvText("prod", { externalConnectionString: url, openaiApiKey: "k", nextauthSecret: "s" }),
      /^# Real secrets: keep this file out of git\./m,
    );
  });

  it("adds sslmode=require after a query or none, and keeps an sslmode the string already has", () => {
    assert.equal(
      withSslmodeRequire("postgresql://u:p@h:5432/db"),
      "postgresql://u:p@h:5432/db?sslmode=require",
    );
    assert.equal(
      withSslmodeRequire("postgresql://u:p@h/db?connect_timeout=5"),
      "postgresql://u:p@h/db?connect_timeout=5&sslmode=require",
    );
    assert.equal(withSslmodeRequire("postgresql://u:p@h/db?"), "postgresql://u:p@h/db?sslmode=require");
    assert.equal(withSslmodeRequire("postgresql://u:p@h/db#x"), "postgresql://u:p@h/db?sslmode=require#x");
    assert.equal(
      withSslmodeRequire("postgresql://u:p@h/db?sslmode=verify-full"),
      "postgresql://u:p@h/db?sslmode=verify-full",
    );
  });

  it('writes KEY="value" with $ escaped for Next.js\'s expansion, and refuses what dotenv cannot carry', () => {
    assert.equal(
      dotenvLine("A", "postgresql://u:p@h/db?sslmode=require"),
      'A="postgresql://u:p@h/db?sslmode=require"',
    );
    assert.equal(dotenvLine("A", "pa$HOME"), 'A="pa\\$HOME"');
    for (const bad of ['a"b', "a\\b", "a\nb", "a\rb"])
      assert.throws(
        () => dotenvLine("OPENAI_API_KEY", bad),
        /^Error: OPENAI_API_KEY: the value holds a quote/,
      );
  });
});
