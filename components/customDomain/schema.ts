/**
 * The fields of a custom domain of a Render web service or static site, described once. Render adds the
 * apex/www sibling of a name itself (render.com/docs/custom-domains): that sibling is Render's, not a
 * field here, and never reads as drift.
 */
import { z } from "zod";
import { fieldDefaults, fieldsWhere } from "../runtime/schemaMeta";

/**
 * How a field behaves: `render` (a setting on Render, read back for drift), `replaces` (no API changes
 * it in place: a change is a new domain), `blueprint` (its render.yaml spelling, when it differs).
 */
export interface CustomDomainFieldMeta {
  render?: true;
  replaces?: true;
  blueprint?: string;
}

const meta = (m: CustomDomainFieldMeta) => m as Record<string, unknown>;
const bool = (what: string) => z.boolean({ error: `${what} must be true or false` });

const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** Why a (lowercased) name is not a domain name Render takes, or undefined. */
export function domainNameProblem(name: string): string | undefined {
  const labels = (name.startsWith("*.") ? name.slice(2) : name).split(".");
  if (name.length > 253) return `must be at most 253 characters (got ${name.length})`;
  if (labels.length < 2 || !labels.every((l) => LABEL.test(l)))
    return (
      `${JSON.stringify(name)} is not a domain name: use labels of letters, digits and '-' separated by '.', ` +
      "like example.com, www.example.com or *.example.com (a Unicode name in Punycode, xn--…)"
    );
  return undefined;
}

/** Every field of a RenderCustomDomain, in the order error messages list them. */
export const customDomainFields = {
  /**
   * The domain, e.g. `example.com`, `www.example.com`, `app.example.com` or `*.example.com` (render.yaml
   * `domains[]`). Written in any case, stored lowercase; a trailing dot is dropped. Adding an apex or www
   * name makes Render add the other one too, redirecting to this one.
   */
  name: z
    .string({ error: "is required: the domain name, e.g. app.example.com" })
    .transform((v) => v.trim().toLowerCase().replace(/\.$/, ""))
    .superRefine((v, ctx) => {
      const problem = domainNameProblem(v);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    })
    .meta(meta({ render: true, replaces: true })),
  /** The web service or static site (`srv-…`) the domain points at. A change moves it (replace). */
  serviceId: z
    .string({ error: 'is required: the id of a web service or static site, like "srv-…"' })
    .regex(/^srv-[a-z0-9]+$/, {
      error: (i) => `must be a Render service id like "srv-…" (got ${JSON.stringify(i.input)})`,
    })
    .meta(meta({ render: true, replaces: true })),
  /**
   * Ask Render to check the domain's DNS records right after adding it (and on each up while it is
   * unverified). Default false: Render checks by itself.
   */
  verify: bool("verify").default(false),
  /** Adopt the domain of this name already on the service instead of failing. */
  adoptExisting: bool("adoptExisting").default(false),
  /** Adopt exactly this live domain (`cdm-…`) of the service instead of adding one. */
  adoptId: z
    .string({ error: 'must be a Render custom domain id like "cdm-…"' })
    .regex(/^cdm-[a-z0-9]+$/, { error: 'must be a Render custom domain id like "cdm-…"' })
    .optional(),
  /**
   * Allow a change of `name` or `serviceId` to remove the domain and add the new one (it is unverified,
   * and has no certificate, until DNS is checked again). Default false: such a change fails the preview.
   */
  allowReplacement: bool("allowReplacement").default(false),
};

/** The schema of a RenderCustomDomain's fields. */
export const customDomainSchema = z.object(customDomainFields);

/** Inputs of a custom domain after `check`. */
export type CustomDomainInputs = z.output<typeof customDomainSchema>;

/** The arguments a user writes. */
export type CustomDomainArgsFields = z.input<typeof customDomainSchema>;

/** The names of the fields whose metadata satisfies `test`, in schema order. */
export function customDomainFieldsWhere(
  test: (m: CustomDomainFieldMeta) => boolean,
): (keyof CustomDomainInputs)[] {
  return fieldsWhere(customDomainFields, test);
}

/** Fields whose change means another domain. */
export const customDomainImmutableFields = customDomainFieldsWhere((m) => m.replaces === true);
/** Options of the provider: Render never sees them. */
export const customDomainProviderOptions = customDomainFieldsWhere((m) => m.render !== true);
/** Each field's default, as `check` fills it in. */
export const customDomainDefaults = fieldDefaults<CustomDomainInputs>(customDomainFields);
