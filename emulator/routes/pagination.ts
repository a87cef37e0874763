/**
 * Render's list shape: a bare array of `{<wrapper>: item, cursor}`; `limit` (default 20, 1..100) and
 * `cursor` (the cursor of the last item of the previous page). The end of a list is a short (or
 * empty) page; how Render signals it is UNCONFIRMED, and a client stopping at a short page or an
 * empty one both work here.
 */
import { badRequest } from "../errors";

/** Default and maximum `limit`. */
export const DEFAULT_LIMIT = 20;
export const MAX_LIMIT = 100;

/** Encodes a position in a list (the item's sequence number) as an opaque cursor. */
export function encodeCursor(seq: number): string {
  return Buffer.from(`seq:${seq}`).toString("base64url");
}

function decodeCursor(cursor: string): number {
  const text = Buffer.from(cursor, "base64url").toString("utf8");
  const match = /^seq:(\d+)$/.exec(text);
  if (!match) throw badRequest("invalid cursor");
  return Number(match[1]);
}

/**
 * The `limit` of a list request (default 20, 1..100).
 * @throws ApiError 400 for a bad one.
 */
export function queryLimit(query: URLSearchParams): number {
  const limitText = query.get("limit");
  if (limitText === null) return DEFAULT_LIMIT;
  const limit = Number(limitText);
  if (!/^\d+$/.test(limitText) || limit < 1 || limit > MAX_LIMIT) {
    throw badRequest(
      `invalid limit ${JSON.stringify(limitText)}: must be an integer between 1 and ${MAX_LIMIT}`,
    );
  }
  return limit;
}

/**
 * One page of `items` (already filtered, newest first by `seq`) in Render's shape.
 * @throws ApiError 400 for a bad `limit` or `cursor`.
 */
export function paginate<T extends { seq: number }>(
  items: readonly T[],
  query: URLSearchParams,
  wrapper: string,
  render: (item: T) => unknown,
): unknown[] {
  const limit = queryLimit(query);
  const sorted = [...items].sort((a, b) => b.seq - a.seq);
  const cursor = query.get("cursor");
  let start = 0;
  if (cursor !== null && cursor !== "") {
    const after = decodeCursor(cursor);
    start = sorted.findIndex((item) => item.seq < after);
    if (start === -1) start = sorted.length;
  }
  return sorted
    .slice(start, start + limit)
    .map((item) => ({ [wrapper]: render(item), cursor: encodeCursor(item.seq) }));
}
