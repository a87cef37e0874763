/**
 * What every kind's schema.ts derives from its fields' `.meta()` the same way: the fields whose metadata
 * passes a test (immutable ones, provider options…), each field's default, and render.yaml's other key
 * names read as ours. Pure; zod only.
 */
import type { z } from "zod";

/** The names of the fields whose metadata satisfies `test`, in the fields' order. */
export function fieldsWhere<Meta, Key extends string>(
  fields: Record<Key, z.ZodType>,
  test: (meta: Meta) => boolean,
): Key[] {
  return (Object.keys(fields) as Key[]).filter((key) => test((fields[key].meta() ?? {}) as Meta));
}

/** Each field's default, as `check` fills it in (a field without one is absent). */
export function fieldDefaults<Out>(fields: Record<string, z.ZodType>): Partial<Out> {
  return Object.fromEntries(
    Object.entries(fields).flatMap(([key, field]) => {
      const byDefault = field.safeParse(undefined);
      return byDefault.success && byDefault.data !== undefined ? [[key, byDefault.data]] : [];
    }),
  ) as Partial<Out>;
}

/**
 * `raw` with each field's render.yaml key (its `blueprint` metadata) read as the field's own name; the
 * field's own name wins when both are given, and the render.yaml key is dropped.
 */
export function renameBlueprintKeys(
  fields: Record<string, z.ZodType>,
  raw: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...raw };
  for (const [field, schema] of Object.entries(fields)) {
    const from = (schema.meta() as { blueprint?: unknown } | undefined)?.blueprint;
    if (typeof from !== "string") continue;
    if (out[from] !== undefined && out[field] === undefined) out[field] = out[from];
    delete out[from];
  }
  return out;
}
