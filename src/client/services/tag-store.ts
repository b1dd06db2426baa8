/**
 * The user's conversation tags as this device knows them (seed 会话标签): tag definitions (from `pullUS`,
 * key `Tag`) with the settings version they came with, and the tags of each conversation (from the type-3
 * item of `pullSeAtts` states). Persisted per appKey+user. Every mutator reports whether anything changed, so
 * the services fire the tag listeners only for changes made on another device.
 */
import { conversationKey } from './im-message';
import type { UserStore } from './user-store';
import { isRecord, storedTime } from './user-store';

export interface TagInfo {
  readonly tagId: string;
  readonly tagName: string;
  readonly createdTime: number;
}

export interface TagLink {
  readonly tagId: string;
  readonly isTop: boolean;
}

export interface TaggedConversation {
  readonly conversationType: number;
  readonly targetId: string;
  readonly isTop: boolean;
}

interface Persisted {
  version: number;
  /** A settings pull / a states pull completed on this device (later differences are other devices' changes). */
  pulled?: boolean;
  statesPulled?: boolean;
  tags: TagInfo[];
  /**
   * tagId → its conversations' keys, TOP_MARK first when on top in that tag. 20 tags of 1000 conversations
   * (the documented limits) stay a few hundred KB, under a host's 1 MB per key; the per-conversation list
   * of link objects written before (`links`, still read) passed 1 MB well before that.
   */
  byTag?: Record<string, string[]>;
  /** Earlier layout: conversationKey → links. */
  links?: Record<string, TagLink[]>;
}

/** Marks a conversation on top in its tag; a conversationKey starts with its type's digits. */
const TOP_MARK = '^';

function isPersisted(value: unknown): value is Persisted {
  return isRecord(value) && typeof value['version'] === 'number' && Array.isArray(value['tags']);
}

function sameLinks(a: readonly TagLink[], b: readonly TagLink[]): boolean {
  if (a.length !== b.length) return false;
  const byId = new Map(a.map((l) => [l.tagId, l.isTop]));
  return b.every((l) => byId.get(l.tagId) === l.isTop);
}

function splitKey(key: string): { conversationType: number; targetId: string } {
  const at = key.indexOf('_');
  return { conversationType: Number(key.slice(0, at)), targetId: key.slice(at + 1) };
}

export class TagStore {
  /** The settings version of the last `pullUS` applied. */
  version = 0;
  /** This device completed a settings pull before (a difference found later is another device's change). */
  pulled = false;
  /** Same for conversation states (`pullSeAtts`). */
  statesPulled = false;
  private tags = new Map<string, TagInfo>();
  private links = new Map<string, TagLink[]>();

  constructor(private readonly store: UserStore) {}

  /** `notAfter`: a version past it is read as none (user-store.ts storedTime). */
  async load(notAfter = Number.POSITIVE_INFINITY): Promise<void> {
    const saved = await this.store.readJson<Persisted>('tags', { version: 0, tags: [], links: {} }, isPersisted);
    this.version = storedTime(saved.version, notAfter);
    this.pulled = saved.pulled === true;
    this.statesPulled = saved.statesPulled === true;
    this.tags = new Map(saved.tags.filter((t) => isRecord(t) && typeof t.tagId === 'string').map((t) => [t.tagId, t]));
    // `links` is the layout before `byTag`; only well-formed links of it are kept.
    this.links = new Map();
    if (isRecord(saved.links)) {
      for (const [key, list] of Object.entries(saved.links)) {
        if (!Array.isArray(list)) continue;
        const links = list.filter((l: unknown): l is TagLink => isRecord(l) && typeof l['tagId'] === 'string').map((l) => ({ tagId: l.tagId, isTop: l.isTop === true }));
        if (links.length > 0) this.links.set(key, links);
      }
    }
    if (isRecord(saved.byTag)) {
      for (const [tagId, keys] of Object.entries(saved.byTag)) {
        if (!Array.isArray(keys)) continue;
        for (const item of keys) {
          if (typeof item !== 'string') continue;
          const isTop = item.startsWith(TOP_MARK);
          const key = isTop ? item.slice(1) : item;
          const list = this.links.get(key);
          if (list) list.push({ tagId, isTop });
          else this.links.set(key, [{ tagId, isTop }]);
        }
      }
    }
  }

  private persist(): void {
    const byTag: Record<string, string[]> = {};
    for (const [key, links] of this.links) for (const l of links) (byTag[l.tagId] ??= []).push(l.isTop ? TOP_MARK + key : key);
    const saved: Persisted = { version: this.version, pulled: this.pulled, statesPulled: this.statesPulled, tags: [...this.tags.values()], byTag };
    void this.store.writeJson('tags', saved);
  }

  /** Records that a pull of that kind completed; true when it was the first on this device. */
  markPulled(kind: 'settings' | 'states'): boolean {
    const first = kind === 'settings' ? !this.pulled : !this.statesPulled;
    if (!first) return false;
    if (kind === 'settings') this.pulled = true;
    else this.statesPulled = true;
    this.persist();
    return true;
  }

  /** Oldest first (createdTime, then tagId), as getTagList answers. */
  list(): TagInfo[] {
    return [...this.tags.values()].sort((a, b) => a.createdTime - b.createdTime || (a.tagId < b.tagId ? -1 : a.tagId > b.tagId ? 1 : 0));
  }

  get(tagId: string): TagInfo | undefined {
    return this.tags.get(tagId);
  }

  /** Creates or renames one tag (a new tag gets `createdTime`). */
  upsert(tagId: string, tagName: string, createdTime: number): void {
    const existing = this.tags.get(tagId);
    this.tags.set(tagId, { tagId, tagName, createdTime: existing?.createdTime ?? createdTime });
    this.persist();
  }

  /** Drops tags and their links. */
  remove(tagIds: readonly string[]): void {
    for (const tagId of tagIds) this.tags.delete(tagId);
    this.dropLinksTo((tagId) => tagIds.includes(tagId));
    this.persist();
  }

  /** A pulled tag list replaces the local one; links to tags that are gone are dropped. True when it differed. */
  replaceAll(tags: readonly TagInfo[], version: number): boolean {
    const changed = tags.length !== this.tags.size || tags.some((t) => {
      const mine = this.tags.get(t.tagId);
      return mine === undefined || mine.tagName !== t.tagName;
    });
    this.tags = new Map(tags.map((t) => [t.tagId, t]));
    this.dropLinksTo((tagId) => !this.tags.has(tagId));
    this.version = version;
    this.persist();
    return changed;
  }

  linksOf(conversationType: number, targetId: string): readonly TagLink[] {
    return this.links.get(conversationKey(conversationType, targetId)) ?? [];
  }

  /** A conversation's tags as pulled; true when they differed. */
  setLinks(conversationType: number, targetId: string, links: readonly TagLink[]): boolean {
    const key = conversationKey(conversationType, targetId);
    const changed = !sameLinks(this.links.get(key) ?? [], links);
    if (links.length === 0) this.links.delete(key);
    else this.links.set(key, [...links]);
    if (changed) this.persist();
    return changed;
  }

  /** Adds `tagId` to conversations (re-adding keeps the in-tag top unless `isTop` is given). */
  link(tagId: string, conversations: ReadonlyArray<{ type: number; targetId: string }>, isTop?: boolean): void {
    for (const c of conversations) {
      const current = [...this.linksOf(c.type, c.targetId)];
      const at = current.findIndex((l) => l.tagId === tagId);
      const next = { tagId, isTop: isTop ?? (at >= 0 ? (current[at] as TagLink).isTop : false) };
      if (at >= 0) current[at] = next;
      else current.push(next);
      this.links.set(conversationKey(c.type, c.targetId), current);
    }
    this.persist();
  }

  unlink(tagIds: readonly string[], conversations: ReadonlyArray<{ type: number; targetId: string }>): void {
    for (const c of conversations) {
      const key = conversationKey(c.type, c.targetId);
      const remaining = (this.links.get(key) ?? []).filter((l) => !tagIds.includes(l.tagId));
      if (remaining.length === 0) this.links.delete(key);
      else this.links.set(key, remaining);
    }
    this.persist();
  }

  /** The conversations carrying `tagId`. */
  conversationsOf(tagId: string): TaggedConversation[] {
    const out: TaggedConversation[] = [];
    for (const [key, links] of this.links) {
      const link = links.find((l) => l.tagId === tagId);
      if (link) out.push({ ...splitKey(key), isTop: link.isTop });
    }
    return out;
  }

  private dropLinksTo(gone: (tagId: string) => boolean): void {
    for (const [key, links] of [...this.links]) {
      const kept = links.filter((l) => !gone(l.tagId));
      if (kept.length === 0) this.links.delete(key);
      else if (kept.length !== links.length) this.links.set(key, kept);
    }
  }
}
