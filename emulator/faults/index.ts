/**
 * Fault injection for `/v1` requests, matched by method and a glob over the path
 * (`*` = one segment, `**` = any number of segments), for the next N matches or at a rate.
 */
import { randomUUID } from "node:crypto";
import { badRequest } from "../errors";

/** What happens to a matched request. */
export type FaultKind =
  | { kind: "status"; status: number; body?: unknown; retryAfter?: number }
  | { kind: "delay"; ms: number }
  | { kind: "reset" }
  | { kind: "lose-response" };

/** One registered fault. */
export interface Fault {
  id: string;
  method?: string;
  path: string;
  /** Matches left (undefined: unlimited, with `rate`). */
  remaining?: number;
  rate?: number;
  fault: FaultKind;
}

/** The faults of one emulator. */
export class FaultStore {
  private faults: (Fault & { regex: RegExp })[] = [];

  /**
   * Registers a fault from a control API body.
   * @throws ApiError 400 naming the bad field.
   */
  add(body: unknown): Fault {
    if (body === null || typeof body !== "object" || Array.isArray(body))
      throw badRequest("fault must be an object");
    const b = body as Record<string, unknown>;
    if (typeof b.path !== "string" || !b.path.startsWith("/"))
      throw badRequest("path is required: a glob like /v1/services/*");
    if (b.method !== undefined && typeof b.method !== "string") throw badRequest("method must be a string");
    if (b.count !== undefined && (!Number.isInteger(b.count) || (b.count as number) < 1)) {
      throw badRequest("count must be an integer >= 1");
    }
    if (b.rate !== undefined && (typeof b.rate !== "number" || b.rate < 0 || b.rate > 1)) {
      throw badRequest("rate must be a number between 0 and 1");
    }
    const fault = checkFaultKind(b.fault);
    // Paths are globs over the full `/v1/...` path; one written without the prefix gets it.
    const glob = b.path === "/v1" || b.path.startsWith("/v1/") ? b.path : `/v1${b.path}`;
    const entry: Fault = {
      id: randomUUID(),
      method: b.method?.toString().toUpperCase(),
      path: glob,
      remaining:
        b.rate !== undefined && b.count === undefined ? undefined : ((b.count as number | undefined) ?? 1),
      rate: b.rate as number | undefined,
      fault,
    };
    this.faults.push({ ...entry, regex: globToRegex(glob) });
    return entry;
  }

  /** The first fault matching the request, consuming one of its uses; undefined if none fires. */
  take(method: string, path: string): FaultKind | undefined {
    for (const f of this.faults) {
      if (f.method && f.method !== method.toUpperCase()) continue;
      if (!f.regex.test(path)) continue;
      if (f.rate !== undefined && Math.random() >= f.rate) continue;
      if (f.remaining !== undefined) {
        f.remaining--;
        if (f.remaining <= 0) this.faults = this.faults.filter((x) => x !== f);
      }
      return f.fault;
    }
    return undefined;
  }

  /** All active faults. */
  list(): Fault[] {
    return this.faults.map(({ regex: _regex, ...f }) => f);
  }

  /** Removes one fault; false if there was none with that id. */
  remove(id: string): boolean {
    const before = this.faults.length;
    this.faults = this.faults.filter((f) => f.id !== id);
    return this.faults.length < before;
  }

  /** Removes every fault. */
  clear(): void {
    this.faults = [];
  }
}

function checkFaultKind(value: unknown): FaultKind {
  if (value === null || typeof value !== "object") {
    throw badRequest("fault is required: { kind: status | delay | reset | lose-response, ... }");
  }
  const f = value as Record<string, unknown>;
  switch (f.kind) {
    case "status":
      if (!Number.isInteger(f.status) || (f.status as number) < 100 || (f.status as number) > 599) {
        throw badRequest("fault.status must be an HTTP status code");
      }
      if (f.retryAfter !== undefined && (!Number.isInteger(f.retryAfter) || (f.retryAfter as number) < 0)) {
        throw badRequest("fault.retryAfter must be an integer number of seconds");
      }
      return {
        kind: "status",
        status: f.status as number,
        body: f.body,
        retryAfter: f.retryAfter as number | undefined,
      };
    case "delay":
      if (typeof f.ms !== "number" || f.ms < 0) throw badRequest("fault.ms must be a number >= 0");
      return { kind: "delay", ms: f.ms };
    case "reset":
      return { kind: "reset" };
    case "lose-response":
      return { kind: "lose-response" };
    default:
      throw badRequest("fault.kind must be one of status, delay, reset, lose-response");
  }
}

/** `*` matches one path segment, `**` any number (including none); everything else literally. */
export function globToRegex(glob: string): RegExp {
  const escape = (text: string) => text.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
  const segments = glob.split("/");
  let source = "";
  segments.forEach((segment, i) => {
    if (i === 0) {
      source += escape(segment);
    } else if (segment === "**") {
      source += "(?:/.*)?";
    } else {
      source += `/${segment.split("*").map(escape).join("[^/]*")}`;
    }
  });
  return new RegExp(`^${source}/?$`);
}
