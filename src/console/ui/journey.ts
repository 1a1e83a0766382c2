import type { ActivityEvent, ActivityResult } from "../../shared/protocol.js";
import type { Api } from "./api.js";

/** At most this many events are read, the newest, across every product, env and tag. */
export const MAX_EVENTS = 500;
/** The endpoint's largest page (readPaging); at most 7 requests for MAX_EVENTS. */
const READ = 100;

/**
 * The identifier's newest MAX_EVENTS events in the range, in one paged read across every
 * product, env and tag the key reaches. The endpoint lists oldest first: the first page gives
 * the total, then the pages holding the newest events are read together.
 */
export async function readJourney(api: Pick<Api, "get">, identifier: string, from: string): Promise<ActivityEvent[]> {
  const read = (page: number) => api.get<ActivityResult>(`/v1/users/${encodeURIComponent(identifier)}/activity`, { from, page, limit: READ });
  const first = await read(1);
  const firstNeeded = Math.floor(Math.max(0, first.total - MAX_EVENTS) / READ) + 1;
  const pages: number[] = [];
  for (let page = Math.max(2, firstNeeded); page <= Math.ceil(first.total / READ); page++) pages.push(page);
  const rest = await Promise.all(pages.map(read));
  return [...(firstNeeded === 1 ? first.events : []), ...rest.flatMap((r) => r.events)].slice(-MAX_EVENTS);
}
