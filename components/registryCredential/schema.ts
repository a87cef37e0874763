/**
 * The fields of a Render registry credential (lets Render pull a private image), described once. The auth
 * token is a secret end to end: a secret input, never in a message, and never readable from Render.
 */
import { z } from "zod";
import { fieldsWhere } from "../runtime/schemaMeta";
import { workspaceIdPattern } from "../render/enums";
import { allowed, nameProblem } from "../runtime/validation";

/** `render`: a setting on Render; `replaces`: cannot change in place; `readable`: Render answers it back. */
export interface RegistryCredentialFieldMeta {
  render?: true;
  replaces?: true;
  readable?: true;
  blueprint?: string;
}

const meta = (m: RegistryCredentialFieldMeta) => m as Record<string, unknown>;
const bool = (what: string) => z.boolean({ error: `${what} must be true or false` });

/** `registryCredentialRegistry` (openapi.json). */
export const registries = ["GITHUB", "GITLAB", "DOCKER", "GOOGLE_ARTIFACT", "AWS_ECR"] as const;

/** Every field of a RenderRegistryCredential, in the order error messages list them. */
export const registryCredentialFields = {
  /** Name on Render, unique in the workspace, e.g. `ghcr-deploy`. */
  name: z
    .string({ error: "is required: the credential's name on Render" })
    .superRefine((v, ctx) => {
      const problem = nameProblem(v);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    })
    .meta(meta({ render: true, readable: true })),
  /** Workspace id `tea-…`. Default (in RenderRegistryCredential): stack config `render:ownerId`. Immutable. */
  ownerId: z
    .string({
      error: "is required: a workspace id like tea-…; set it with `pulumi config set render:ownerId tea-…`",
    })
    .regex(workspaceIdPattern, {
      error: (i) =>
        `must be a Render workspace id like tea-d303qfodl3ps739p3e60 (got ${JSON.stringify(i.input)})`,
    })
    .meta(meta({ render: true, replaces: true })),
  /** The registry: GITHUB, GITLAB, DOCKER, GOOGLE_ARTIFACT or AWS_ECR (any case is accepted). */
  registry: z
    .string({ error: `is required; allowed: ${allowed(registries)}` })
    .transform((v) => v.toUpperCase())
    .pipe(
      z.enum(registries, {
        error: (i) =>
          `${JSON.stringify(i.input)} is not a registry Render knows; allowed: ${allowed(registries)}`,
      }),
    )
    .meta(meta({ render: true, readable: true })),
  /** The user name the registry knows, e.g. the GitHub user of a `ghcr.io` token. */
  username: z
    .string({ error: "is required: the registry user name" })
    .min(1, { error: "must not be empty" })
    .meta(meta({ render: true, readable: true })),
  /** The token or password the registry accepts (secret; Render never shows it back). */
  authToken: z
    .string({ error: "is required: the registry token (a secret)" })
    .min(1, { error: "must not be empty" })
    .meta(meta({ render: true })),
  /** Adopt a credential of the same name that already exists in the workspace instead of failing. */
  adoptExisting: bool("adoptExisting").default(false),
  /** Adopt exactly this live credential (`rgc-…`) instead of creating one; it must carry `name`. */
  adoptId: z
    .string({ error: 'must be a Render registry credential id like "rgc-…"' })
    .regex(/^rgc-[a-z0-9]+$/, { error: 'must be a Render registry credential id like "rgc-…"' })
    .optional(),
};

/** The schema of a RenderRegistryCredential's fields. */
export const registryCredentialSchema = z.object(registryCredentialFields);

/** Inputs after `check`. */
export type RegistryCredentialInputs = z.output<typeof registryCredentialSchema>;

/** The arguments a user writes. */
export type RegistryCredentialArgsFields = z.input<typeof registryCredentialSchema>;

/** The names of the fields whose metadata satisfies `test`, in schema order. */
export function registryCredentialFieldsWhere(
  test: (m: RegistryCredentialFieldMeta) => boolean,
): (keyof RegistryCredentialInputs)[] {
  return fieldsWhere<RegistryCredentialFieldMeta, keyof RegistryCredentialInputs>(
    registryCredentialFields,
    test,
  );
}

/** Settings Render answers back, compared for drift. */
export const registryCredentialReadableFields = registryCredentialFieldsWhere((m) => m.readable === true);
/** Fields that cannot change without replacing the credential. */
export const registryCredentialImmutableFields = registryCredentialFieldsWhere((m) => m.replaces === true);
