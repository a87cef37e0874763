/**
 * The fields of a Render persistent disk of a service, described once. A disk only grows: a smaller
 * `sizeGB` is refused by `check` (against the state) and by `diff` (against Render) before any call that
 * changes anything (render.com/docs/disks: a disk's size can be increased, never decreased; UNCONFIRMED in
 * the stored sources, and refusing is the safe side).
 */
import { z } from "zod";
import { fieldsWhere } from "../runtime/schemaMeta";

/** `render`: a setting on Render; `replaces`: cannot change in place (the disk and its data go). */
export interface DiskFieldMeta {
  render?: true;
  replaces?: true;
  blueprint?: string;
}

const meta = (m: DiskFieldMeta) => m as Record<string, unknown>;
const bool = (what: string) => z.boolean({ error: `${what} must be true or false` });
const size = "must be a whole number of GB from 1";

/** Every field of a RenderDisk, in the order error messages list them. */
export const diskFields = {
  /** The service `srv-…` the disk is attached to (one disk per service). Another one replaces the disk. */
  serviceId: z
    .string({ error: 'is required: the Render service id like "srv-…" the disk is attached to' })
    .regex(/^srv-[a-z0-9]+$/, {
      error: (i) => `must be a Render service id like "srv-…" (got ${JSON.stringify(i.input)})`,
    })
    .meta(meta({ render: true, replaces: true })),
  /** Name on Render (render.yaml `disk.name`), e.g. `data`. */
  name: z
    .string({ error: "is required: the disk's name" })
    .min(1, { error: "must not be empty" })
    .max(100, { error: "must be at most 100 characters" })
    .meta(meta({ render: true })),
  /** Where the service sees it: an absolute path other than `/` (render.yaml `disk.mountPath`), e.g. `/var/data`. */
  mountPath: z
    .string({ error: "is required: an absolute path like /var/data" })
    .regex(/^\/(?!\/)\S*[^/\s]$/, {
      error: (i) => `must be an absolute path other than /, like /var/data (got ${JSON.stringify(i.input)})`,
    })
    .meta(meta({ render: true })),
  /** Size in GB (render.yaml `disk.sizeGB`). Default 10, render.yaml's default. It only grows. */
  sizeGB: z
    .number({ error: size })
    .int({ error: size })
    .min(1, { error: size })
    .default(10)
    .meta(meta({ render: true })),
  /** Adopt the service's disk of the same name instead of failing. */
  adoptExisting: bool("adoptExisting").default(false),
  /** Adopt exactly this live disk (`dsk-…`) instead of creating one; it must be on `serviceId` and carry `name`. */
  adoptId: z
    .string({ error: 'must be a Render disk id like "dsk-…"' })
    .regex(/^dsk-[a-z0-9]+$/, { error: 'must be a Render disk id like "dsk-…"' })
    .optional(),
  /**
   * Allow a new `serviceId` to replace the disk: delete it, data and all, and add a new empty one to the
   * other service. Default false: such a change fails the preview.
   */
  allowReplacement: bool("allowReplacement").default(false),
};

/** The schema of a RenderDisk's fields. */
export const diskSchema = z.object(diskFields);

/** Inputs after `check`. */
export type DiskInputs = z.output<typeof diskSchema>;

/** The arguments a user writes. */
export type DiskArgsFields = z.input<typeof diskSchema>;

/** The names of the fields whose metadata satisfies `test`, in schema order. */
export function diskFieldsWhere(test: (m: DiskFieldMeta) => boolean): (keyof DiskInputs)[] {
  return fieldsWhere<DiskFieldMeta, keyof DiskInputs>(diskFields, test);
}

/** Fields that cannot change without replacing the disk. */
export const diskImmutableFields = diskFieldsWhere((m) => m.replaces === true);
