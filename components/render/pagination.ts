/**
 * Render's cursor pagination: a list answers a bare array `[{<wrapper>: T, cursor}, …]`; the next
 * page starts after the cursor of the last element.
 */

/** One element of a list page. */
export interface PageItem<T> {
  /** The resource. */
  item: T;
  /** Cursor of this element. */
  cursor: string;
}

/** Fetch the page after `cursor` (undefined: the first page). */
export type FetchPage<T> = (cursor: string | undefined) => Promise<PageItem<T>[]>;

/** Largest page Render serves. */
export const maxPageSize = 100;

/**
 * Iterate over every item of a list, page by page.
 *
 * How Render marks the end (short page or empty page) is UNCONFIRMED, so this stops only on an empty
 * page: a short page could be a server-side cap, and stopping there would silently miss objects. A
 * cursor seen before also stops it, so a server that repeats a page cannot loop us forever.
 */
export async function* paginate<T>(fetchPage: FetchPage<T>): AsyncGenerator<T, void, undefined> {
  const seen = new Set<string>();
  let cursor: string | undefined;
  for (;;) {
    const page = await fetchPage(cursor);
    for (const { item } of page) yield item;
    if (page.length === 0) return;
    const next = page[page.length - 1].cursor;
    if (seen.has(next)) return;
    seen.add(next);
    cursor = next;
  }
}

/** Gather an async iterable into an array. */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}
