/**
 * In-memory navi cache per engine (the official client keeps navi 2 h per token). A REDIRECT,
 * or every host failing, clears it so the next attempt asks navi again.
 */
import type { NaviInfo } from '../transport/navi';

export const NAVI_CACHE_TTL_MS = 2 * 60 * 60 * 1000;

export class NaviCache {
  private entry: { token: string; info: NaviInfo; storedAt: number } | undefined;

  constructor(private readonly ttlMs: number = NAVI_CACHE_TTL_MS) {}

  get(token: string, now: number): NaviInfo | undefined {
    const e = this.entry;
    if (e === undefined || e.token !== token || now - e.storedAt >= this.ttlMs) return undefined;
    return e.info;
  }

  set(token: string, info: NaviInfo, now: number): void {
    this.entry = { token, info, storedAt: now };
  }

  /** The last navi answer, whatever its age (for getNavi()). */
  get latest(): NaviInfo | undefined {
    return this.entry?.info;
  }

  clear(): void {
    this.entry = undefined;
  }
}
