import { describeAppend } from './contract/append.contract';
import { describeApps } from './contract/apps.contract';
import { describeChatroomEntries } from './contract/chatroom-entries.contract';
import { describeChatrooms } from './contract/chatroom.contract';
import type { ContractContext } from './contract/contract-support';
import { describeConversations } from './contract/conversation.contract';
import { describeConversationStates } from './contract/conversation-state.contract';
import { describeGroups } from './contract/group.contract';
import { describeHistory } from './contract/history.contract';
import { describePushState } from './contract/push.contract';
import { describeRecallAndPrune } from './contract/recall-prune.contract';
import { describeServerApiState } from './contract/server-api.contract';
import { describeSync } from './contract/sync.contract';
import { describeServerEvents } from './contract/server-events.contract';
import { describeTags } from './contract/tags.contract';
import { describeReadStateAndModeration } from './contract/read-state.contract';
import { describeTenancyAndDurability } from './contract/tenancy-durability.contract';
import { describeUsers } from './contract/users.contract';
import { describeUnreadCounts } from './contract/unread-counts.contract';
import type { Store } from './store';

/**
 * The store contract (STYLE.md §9.5): every invariant documented in store.ts, checked through the
 * interface only, so it runs unchanged on every engine (SQLite now, PostgreSQL later).
 *
 * - `create` returns a fresh, EMPTY store with its own storage, not yet migrated (the suite migrates it,
 *   as main.ts does). It is called once per test.
 * - `reopen(closed)` opens a new store on the same storage as `closed` (which the suite has closed); it is
 *   how durability is checked, so every engine must provide it.
 * - `destroy` (optional) releases the storage; it receives the last store of the chain (after a reopen,
 *   the reopened one) and must tolerate an already closed store.
 */
export function describeStoreContract(
  name: string,
  create: () => Promise<Store>,
  destroy?: (store: Store) => Promise<void>,
  reopen?: (closed: Store) => Promise<Store>,
): void {
  describe(`Store contract: ${name}`, () => {
    let current: Store | undefined;

    const context: ContractContext = {
      get store(): Store {
        if (current === undefined) throw new Error('store contract: no store (beforeEach did not run)');
        return current;
      },
      async reopen(): Promise<Store> {
        if (reopen === undefined) throw new Error(`store contract: engine "${name}" must pass a reopen hook to check durability`);
        const closed = context.store;
        await closed.close();
        const next = await reopen(closed);
        current = next;
        await next.migrate();
        return next;
      },
    };

    beforeEach(async () => {
      current = await create();
      await current.migrate();
    });

    afterEach(async () => {
      const last = current;
      current = undefined;
      if (last === undefined) return;
      await last.close();
      if (destroy !== undefined) await destroy(last);
    });

    describeAppend(context);
    describeSync(context);
    describeHistory(context);
    describeConversations(context);
    describeRecallAndPrune(context);
    describeUsers(context);
    describeConversationStates(context);
    describeGroups(context);
    describeChatrooms(context);
    describeChatroomEntries(context);
    describeServerApiState(context);
    describePushState(context);
    describeTags(context);
    describeReadStateAndModeration(context);
    describeUnreadCounts(context);
    describeTenancyAndDurability(context);
    describeApps(context);
    describeServerEvents(context);
  });
}
