import type { ChatroomRepository } from '../chatroom-repository';
import type { GroupRepository } from '../group-repository';
import type { MessageExpansionRepository } from '../message-expansion-repository';
import type { MessageLogRepository } from '../message-log-repository';
import type { ReadPositionRepository } from '../read-position-repository';
import type { SensitiveWordRepository } from '../sensitive-word-repository';
import type { ConversationRepository, ConversationStateRepository, ConversationTypeSettingRepository, MessageRepository, Store, UserRepository } from '../store';
import type { TagRepository } from '../tag-repository';
import type { UserListRepository } from '../user-list-repository';
import type { AppendBatcherOptions } from '../message-append-batcher';
import { PG_MIGRATIONS } from './migrations';
import { PgConversationRepository, PgConversationStateRepository, PgConversationTypeSettingRepository, PgUserRepository } from './pg-core-repositories';
import { PgChatroomRepository } from './pg-chatroom-repository';
import { PgDatabase } from './pg-database';
import { PgGroupRepository } from './pg-group-repository';
import { PgMessageRepository } from './pg-message-repository';
import { PgCallbackQueue } from './pg-callback-queue';
import { PgMessageExpansionRepository } from './pg-message-expansions';
import type { UnreadCountRepository } from '../unread-count-repository';
import { PgUnreadCountRepository } from './pg-unread-counts';
import { PgMessageLog } from './pg-message-log';
import { PgReadPositionRepository } from './pg-read-positions';
import { PgSensitiveWordRepository } from './pg-sensitive-words';
import { PgTagRepository } from './pg-tag-repository';
import { PgUserListRepository } from './pg-user-lists';
import type { ChatBanRepository } from '../chat-ban-repository';
import { PgChatBanRepository } from './pg-chat-bans';
import type { UserPushSettingRepository } from '../user-push-setting-repository';
import { PgUserPushSettingRepository } from './pg-user-push-settings';
import type { ChatroomDistributionRepository, PushRecordRepository, UserTagRepository } from '../push-repository';
import { PgChatroomDistributionRepository, PgPushRecordRepository, PgUserTagRepository } from './pg-push-repositories';
import type { AppRepository } from '../app-repository';
import { PgAppRepository } from './pg-apps';
import type { ServerEventRepository } from '../server-event-repository';
import { PgServerEventRepository } from './pg-server-events';

export interface PgStoreOptions {
  /** `postgres://user:pass@host:port/db` */
  readonly connectionString: string;
  /** Pool size of this node (default 10). */
  readonly maxConnections?: number;
  /** Randomness for messageUIds, [0, 1) like Math.random (the default). */
  readonly random?: () => number;
  /** Group commit of message and chatroom timeline appends (message-append-batcher.ts); defaults as there. */
  readonly groupCommit?: Partial<AppendBatcherOptions>;
}

/**
 * The cluster engine: every node opens its own pool on one PostgreSQL. Cross-node ordering comes
 * from row locks taken inside READ COMMITTED transactions (see pg-database.ts), never from
 * SERIALIZABLE alone. Adding a repository = one `pg-*.ts` + one migration in migrations/.
 */
export class PgStore implements Store {
  readonly messages: MessageRepository;
  readonly conversations: ConversationRepository;
  readonly users: UserRepository;
  readonly conversationStates: ConversationStateRepository;
  readonly chatrooms: ChatroomRepository;
  readonly groups: GroupRepository;
  readonly userLists: UserListRepository;
  readonly chatBans: ChatBanRepository;
  readonly userPushSettings: UserPushSettingRepository;
  readonly callbackQueue: PgCallbackQueue;
  readonly messageLog: MessageLogRepository;
  readonly tags: TagRepository;
  readonly readPositions: ReadPositionRepository;
  readonly sensitiveWords: SensitiveWordRepository;
  readonly expansions: MessageExpansionRepository;
  readonly unreadCounts: UnreadCountRepository;
  readonly userTags: UserTagRepository;
  readonly pushes: PushRecordRepository;
  readonly chatroomDistribution: ChatroomDistributionRepository;
  readonly conversationTypeSettings: ConversationTypeSettingRepository;
  readonly apps: AppRepository;
  readonly serverEvents: ServerEventRepository;
  readonly database: PgDatabase;
  private readonly messageRepository: PgMessageRepository;
  private readonly chatroomRepository: PgChatroomRepository;
  private closing = false;

  constructor(options: PgStoreOptions) {
    this.database = new PgDatabase({
      connectionString: options.connectionString,
      ...(options.maxConnections !== undefined && { maxConnections: options.maxConnections }),
    });
    this.messageRepository = new PgMessageRepository(this.database, {
      random: options.random ?? Math.random,
      ...(options.groupCommit !== undefined && { groupCommit: options.groupCommit }),
    });
    this.messages = this.messageRepository;
    this.conversations = new PgConversationRepository(this.database);
    this.users = new PgUserRepository(this.database);
    this.conversationStates = new PgConversationStateRepository(this.database);
    this.conversationTypeSettings = new PgConversationTypeSettingRepository(this.database);
    this.chatroomRepository = new PgChatroomRepository(this.database, {
      random: options.random ?? Math.random,
      ...(options.groupCommit !== undefined && { groupCommit: options.groupCommit }),
    });
    this.chatrooms = this.chatroomRepository;
    this.groups = new PgGroupRepository(this.database);
    this.expansions = new PgMessageExpansionRepository(this.database);
    this.unreadCounts = new PgUnreadCountRepository(this.database);
    this.sensitiveWords = new PgSensitiveWordRepository(this.database);
    this.readPositions = new PgReadPositionRepository(this.database);
    this.tags = new PgTagRepository(this.database);
    this.messageLog = new PgMessageLog(this.database);
    this.callbackQueue = new PgCallbackQueue(this.database);
    this.userLists = new PgUserListRepository(this.database);
    this.chatBans = new PgChatBanRepository(this.database);
    this.userPushSettings = new PgUserPushSettingRepository(this.database);
    this.userTags = new PgUserTagRepository(this.database);
    this.pushes = new PgPushRecordRepository(this.database);
    this.chatroomDistribution = new PgChatroomDistributionRepository(this.database);
    this.apps = new PgAppRepository(this.database);
    this.serverEvents = new PgServerEventRepository(this.database);
  }

  async migrate(): Promise<void> {
    await this.database.migrate(PG_MIGRATIONS);
  }

  /** Idempotent; later calls on the repositories reject. */
  async close(): Promise<void> {
    // Appends already accepted are committed first (their callers are waiting for that COMMIT).
    if (!this.closing) {
      this.closing = true;
      await Promise.all([this.messageRepository.flush(), this.chatroomRepository.flush()]).catch(() => undefined);
    }
    this.callbackQueue.release();
    await this.database.close();
  }
}

export function createPgStore(options: PgStoreOptions): Store {
  return new PgStore(options);
}
