/**
 * The IP allow list field shared by the kinds that have one (Postgres, Key Value, project environments):
 * `{cidrBlock, description}` entries; render.yaml's `source` is read as `cidrBlock` by each kind's
 * spelling step.
 */
import { z } from "zod";
import { isCidr } from "./validation";

/** One IP allow list entry: `{cidrBlock, description}`. */
export const ipAllowEntrySchema = z
  .object({
    cidrBlock: z.string({ error: "is required: an address and prefix length like 203.0.113.0/24" }).trim(),
    description: z.string({ error: "must be a string" }).default(""),
  })
  .superRefine((e, ctx) => {
    if (!isCidr(e.cidrBlock))
      ctx.addIssue({
        code: "custom",
        path: ["cidrBlock"],
        message: `${JSON.stringify(e.cidrBlock)} is not a CIDR block; expected an address and prefix length like 203.0.113.0/24 or 0.0.0.0/0`,
      });
  });

/** An IP allow list: entries with distinct CIDR blocks, default `[]`. */
export const ipAllowListSchema = z
  .array(ipAllowEntrySchema, { error: "must be a list of {cidrBlock, description}" })
  .default([])
  .superRefine((list, ctx) => {
    const seen = new Set<string>();
    list.forEach((e, i) => {
      if (seen.has(e.cidrBlock))
        ctx.addIssue({ code: "custom", path: [i, "cidrBlock"], message: `${e.cidrBlock} is listed twice` });
      seen.add(e.cidrBlock);
    });
  });

/** One entry, normalised. */
export type IpAllowEntry = z.output<typeof ipAllowEntrySchema>;

/** True when two allow lists hold the same entries in any order. */
export function sameIpAllowList(
  a: readonly { cidrBlock: string; description?: string }[],
  b: readonly { cidrBlock: string; description?: string }[],
): boolean {
  const key = (l: readonly { cidrBlock: string; description?: string }[]) =>
    l
      .map((e) => `${e.cidrBlock}\u0000${e.description ?? ""}`)
      .sort()
      .join("\n");
  return key(a) === key(b);
}
