/**
 * The user's per-conversation settings synced across devices (issue #7): top/DND and conversation tags
 * (`pullSeAtts`), tag definitions (`pullUS`) and read positions behind the unread counts (`lxReadPos`). All three
 * are pulled on every connect and again when the server says another device changed them:
 * `s_cmd` type 3 → states, `s_us` → settings, `s_cmd` type 100 → read positions.
 * Listener events only come from changes pulled from the server, never from this device's own calls.
 */
import type { TypedEmitter } from '../../events';
import { decodeByName } from '../../protocol/messages';
import type { Logger } from '../logger';
import type { ConversationService } from './conversations';
import type { PushEvent, ServiceEngine } from './engine-port';
import { READ_POSITIONS_CHANGED, ReadPositionSync } from './read-position-sync';
import type { ServiceEvents } from './service-events';
import { TagService } from './tag-service';
import type { UserSession } from './user-session';

/** s_cmd NotifyMsg type "conversation status changed" (PROTOCOL.md §5.4). */
const STATES_CHANGED = 3;

export interface ConversationSettingsDeps {
  readonly engine: ServiceEngine;
  readonly conversations: ConversationService;
  readonly events: TypedEmitter<ServiceEvents>;
  readonly now: () => number;
  readonly logger: Logger;
}

export class ConversationSettings {
  readonly tags: TagService;
  readonly reads: ReadPositionSync;

  constructor(private readonly deps: ConversationSettingsDeps) {
    this.tags = new TagService(deps.engine, deps.now);
    this.reads = new ReadPositionSync(deps.engine, deps.logger);
  }

  /** A connection is up: pull everything that may have changed while away. */
  onConnected(session: UserSession): void {
    this.pullStates(session);
    this.pullTags(session);
    this.reads.reconcile(session);
  }

  /** Handles the pushes that announce a settings change; false for any other push. */
  onPush(session: UserSession, event: PushEvent): boolean {
    if (event.topic === 's_us') {
      this.pullTags(session);
      return true;
    }
    if (event.topic !== 's_cmd') return false;
    const notify = decodeByName('NotifyMsg', event.payload);
    if (notify.type === STATES_CHANGED) this.pullStates(session);
    else if (notify.type === READ_POSITIONS_CHANGED) this.reads.reconcile(session);
    return true;
  }

  private pullStates(session: UserSession): void {
    this.deps.conversations.pullStatuses(session).then(
      ({ changed, tagsChanged }) => {
        if (changed.length > 0) this.deps.events.emit('conversationStatus', changed);
        if (tagsChanged) this.deps.events.emit('conversationTags');
      },
      (error: unknown) => this.deps.logger.warn('pullSeAtts failed', error),
    );
  }

  private pullTags(session: UserSession): void {
    this.tags.pullSettings(session).then(
      (changed) => {
        if (changed) this.deps.events.emit('tags');
      },
      (error: unknown) => this.deps.logger.warn('pullUS failed', error),
    );
  }
}
