/**
 * Conversation tags under a host's per-key limit (src/client/services/tag-store.ts): a user may keep 20 tags
 * of up to 1000 conversations each (API_CHECKLIST §3.5). Stored as one list of tag objects per conversation,
 * 20,000 tagged conversations made the record over 1 MB; WeChat refuses more than 1 MB per key, so every
 * later write was refused and a reload showed an old record or none (getUnreadCountByTag then counted
 * nothing). Real store over the WeChat host simulator's storage (the host boundary).
 */
import { TagStore } from '../../../src/client/services/tag-store';
import { UserStore } from '../../../src/client/services/user-store';
import { SILENT_LOGGER } from '../../../src/client/logger';
import { SimulatedDevice, simulatedAdapter } from '../../support/host-simulators';

const TAGS = 20;
const PER_TAG = 1000;

test(`${TAGS} tags of ${PER_TAG} conversations each are stored and reload`, async () => {
  const storage = simulatedAdapter('wechat', new SimulatedDevice()).storage;
  const user = new UserStore(storage, 'app', 'me', SILENT_LOGGER);
  const tags = new TagStore(user);
  await tags.load();
  const tagIds = Array.from({ length: TAGS }, (_, t) => `tag-${String(t).padStart(2, '0')}`);
  tags.replaceAll(tagIds.map((tagId, t) => ({ tagId, tagName: `name ${t}`, createdTime: t })), 1);
  for (const [t, tagId] of tagIds.entries()) {
    // Distinct conversations per tag (a support desk sorting its customers), one of them on top in its tag.
    const conversations = Array.from({ length: PER_TAG }, (_, i) => ({ type: 1, targetId: `customer-${String(t * PER_TAG + i).padStart(6, '0')}` }));
    tags.link(tagId, conversations);
    tags.link(tagId, [conversations[0] as { type: number; targetId: string }], true);
  }
  // A conversation in two tags, top in the second only.
  tags.link('tag-01', [{ type: 3, targetId: 'group-a' }], false);
  tags.link('tag-02', [{ type: 3, targetId: 'group-a' }], true);
  await user.flush();

  const again = new TagStore(new UserStore(storage, 'app', 'me', SILENT_LOGGER));
  await again.load();
  expect(again.list().map((t) => t.tagId)).toEqual(tagIds);
  for (const tagId of tagIds) expect(again.conversationsOf(tagId).length).toBeGreaterThanOrEqual(PER_TAG);
  expect(again.conversationsOf('tag-05').filter((c) => c.isTop)).toEqual([{ conversationType: 1, targetId: 'customer-005000', isTop: true }]);
  expect(again.linksOf(3, 'group-a')).toEqual([{ tagId: 'tag-01', isTop: false }, { tagId: 'tag-02', isTop: true }]);
  expect(again.linksOf(1, 'customer-019999')).toEqual([{ tagId: 'tag-19', isTop: false }]);
});

test('a record written in the earlier layout (links per conversation) still loads', async () => {
  const storage = simulatedAdapter('wechat', new SimulatedDevice()).storage;
  const user = new UserStore(storage, 'app', 'me', SILENT_LOGGER);
  const earlier = { version: 3, pulled: true, statesPulled: true, tags: [{ tagId: 'a', tagName: 'A', createdTime: 1 }], links: { '1_peer': [{ tagId: 'a', isTop: true }] } };
  await storage.set(user.key('tags'), JSON.stringify(earlier));
  const tags = new TagStore(user);
  await tags.load();
  expect(tags.conversationsOf('a')).toEqual([{ conversationType: 1, targetId: 'peer', isTop: true }]);
  tags.link('a', [{ type: 3, targetId: 'g' }]);
  await user.flush();
  const again = new TagStore(new UserStore(storage, 'app', 'me', SILENT_LOGGER));
  await again.load();
  expect(again.version).toBe(3);
  expect(again.conversationsOf('a')).toEqual([{ conversationType: 1, targetId: 'peer', isTop: true }, { conversationType: 3, targetId: 'g', isTop: false }]);
});
