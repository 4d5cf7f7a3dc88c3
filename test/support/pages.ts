import type { TestResponse } from './http-client';

/**
 * Follows a list route's `next_cursor` from the first page to the last, `limit` items a page,
 * checking each answer, and returns every item in the order served. Fails rather than loop
 * when the cursor never runs out.
 */
export async function everyPage<T>(
  fetchPage: (query: string) => Promise<TestResponse>,
  field: string,
  limit: number,
  maxPages = 200,
): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < maxPages; page++) {
    const response = await fetchPage(`?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    expect(response.status).toBe(200);
    const batch = response.body[field] as T[];
    expect(batch.length).toBeLessThanOrEqual(limit);
    items.push(...batch);
    cursor = response.body.next_cursor as string | null;
    if (cursor === null) return items;
  }
  throw new Error(`next_cursor still set after ${maxPages} pages`);
}
