import assert from "node:assert/strict";
import { collect, paginate, type PageItem } from "../../../components/render/pagination";

function pagesOf(items: number[], size: number) {
  const cursors: (string | undefined)[] = [];
  const fetch = async (cursor: string | undefined): Promise<PageItem<number>[]> => {
    cursors.push(cursor);
    const start = cursor === undefined ? 0 : Number(cursor.slice(1)) + 1;
    return items.slice(start, start + size).map((n, i) => ({ item: n, cursor: `c${start + i}` }));
  };
  return { fetch, cursors };
}

describe("render pagination", () => {
  it("walks every page, passing the last element's cursor", async () => {
    const items = Array.from({ length: 23 }, (_, i) => i * 10);
    const { fetch, cursors } = pagesOf(items, 10);
    assert.deepEqual(await collect(paginate(fetch)), items);
    assert.deepEqual(cursors, [undefined, "c9", "c19", "c22"]);
  });

  it("stops on an empty first page", async () => {
    const { fetch, cursors } = pagesOf([], 10);
    assert.deepEqual(await collect(paginate(fetch)), []);
    assert.equal(cursors.length, 1);
  });

  it("stops when the server repeats a cursor", async () => {
    let calls = 0;
    const fetch = async () => {
      calls++;
      return [{ item: calls, cursor: "same" }];
    };
    assert.deepEqual(await collect(paginate(fetch)), [1, 2]);
  });

  it("is lazy: breaking early fetches no further page", async () => {
    const { fetch, cursors } = pagesOf(
      Array.from({ length: 50 }, (_, i) => i),
      10,
    );
    for await (const n of paginate(fetch)) if (n === 3) break;
    assert.equal(cursors.length, 1);
  });
});
