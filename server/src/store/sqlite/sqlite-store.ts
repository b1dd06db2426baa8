import type { AppKey, ConversationRepository, ConversationStateRepository, ConversationTypeSettingRepository, MessageRepository, Store, UserId, UserRepository } from '../store';
import { SqliteConversationStateRepository, SqliteConversationTypeSettingRepository } from './sqlite-conversation-state-repository';
import { SqliteChatroomRepository } from './sqlite-chatroom-repository';
import type { ChatroomRepository } from '../chatroom-repository';
import type { GroupRepository } from '../group-repository';
import { SqliteGroupRepository } from './sqlite-group-repository';
import { MIGRATIONS } from './migrations';
import { SqliteConversationRepository } from './sqlite-conversation-repository';
import { SqliteDatabase } from './sqlite-database';
import { SqliteMessageRepository } from './sqlite-message-repository';
import { SqliteUserRepository } from './sqlite-user-repository';
import type { CallbackQueueRepository } from '../callback-queue-repository';
import type { MessageLogRepository } from '../message-log-repository';
import type { UserListRepository } from '../user-list-repository';
import { SqliteCallbackQueue } from './sqlite-callback-queue';
import { SqliteMessageLog } from './sqlite-message-log';
import { SqliteUserListRepository } from './sqlite-user-lists';
import type { ChatBanRepository } from '../chat-ban-repository';
import { SqliteChatBanRepository } from './sqlite-chat-bans';
import type { UserPushSettingRepository } from '../user-push-setting-repository';
import { SqliteUserPushSettingRepository } from './sqlite-user-push-settings';
import type { TagRepository } from '../tag-repository';
import type { ReadPositionRepository } from '../read-position-repository';
import type { SensitiveWordRepository } from '../sensitive-word-repository';
import type { MessageExpansionRepository } from '../message-expansion-repository';
import { SqliteTagRepository } from './sqlite-tag-repository';
import { SqliteReadPositionRepository } from './sqlite-read-positions';
import { SqliteSensitiveWordRepository } from './sqlite-sensitive-words';
import { SqliteMessageExpansionRepository } from './sqlite-message-expansions';
import type { UnreadCountRepository } from '../unread-count-repository';
import { SqliteUnreadCountRepository } from './sqlite-unread-counts';
import type { ChatroomDistributionRepository, PushRecordRepository, UserTagRepository } from '../push-repository';
import { SqliteChatroomDistributionRepository, SqlitePushRecordRepository, SqliteUserTagRepository } from './sqlite-push-repositories';
import type { AppRepository } from '../app-repository';
import { SqliteAppRepository } from './sqlite-apps';
import type { AppendBatcherOptions } from '../message-append-batcher';
import type { ServerEventRepository } from '../server-event-repository';
import { SqliteServerEventRepository } from './sqlite-server-events';
import { SqliteAppendWorker } from './sqlite-append-worker';
import { MOVE_AT_ROWS } from './sqlite-append-writer';

export interface SqliteStoreOptions {
  /** Database file (created if missing); `:memory:` works for throwaway stores. */
  readonly file: string;
  /** Randomness for messageUIds, [0, 1) like Math.random (the default). */
  readonly random?: () => number;
  /** Group commit of message appends (see sqlite-message-repository.ts); defaults suit a server. */
  readonly groupCommit?: Partial<AppendBatcherOptions>;
  /**
   * Where group commits run: `thread` (default for a file database) — a writer thread with its own
   * connection, so the fsync does not hold the event loop (sqlite-append-worker.ts); `inline` — on the
   * caller's thread (always so for `:memory:`).
   */
  readonly appendWriter?: 'thread' | 'inline';
  /** Pending entries that make the writer move them (sqlite-append-writer.ts); default MOVE_AT_ROWS. */
  readonly moveAtRows?: number;
  /**
   * This process is the file's only writer (default true; main.ts says false when a broker makes the node one
   * of several on the file). Only then are pulls of what arrived since the owner's last one answered from
   * memory (sqlite-sync-tail.ts), and moves packed from the writer's own copy of the pending rows
   * (sqlite-append-writer.ts): another process's appends would be missing from both.
   */
  readonly soleWriter?: boolean;
}

/**
 * The embedded single-node engine. better-sqlite3 is synchronous, so each call runs to completion (in one
 * transaction) before the next starts: concurrent callers are serialized by the event loop, which is
 * what keeps `sentTime` strictly increasing without further locking. Message appends are the exception
 * to "one call, one transaction": they are group-committed (several callers' appends in one transaction,
 * in call order, each resolved after the commit). Another process on the same file is kept out of the
 * way by BEGIN IMMEDIATE + busy_timeout.
 */
export class SqliteStore implements Store {
  readonly messages: MessageRepository;
  readonly conversations: ConversationRepository;
  readonly users: UserRepository;
  readonly conversationStates: ConversationStateRepository;
  readonly chatrooms: ChatroomRepository;
  readonly groups: GroupRepository;
  readonly userLists: UserListRepository;
  readonly chatBans: ChatBanRepository;
  readonly userPushSettings: UserPushSettingRepository;
  readonly callbackQueue: CallbackQueueRepository;
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
  private readonly database: SqliteDatabase;
  private readonly messageRepository: SqliteMessageRepository;
  private readonly chatroomRepository: SqliteChatroomRepository;

  constructor(options: SqliteStoreOptions) {
    this.database = new SqliteDatabase(options.file);
    const moveAtRows = options.moveAtRows ?? MOVE_AT_ROWS;
    const soleWriter = options.soleWriter ?? true;
    const worker = options.appendWriter === 'inline' ? undefined : SqliteAppendWorker.forFile(options.file, moveAtRows, soleWriter);
    this.messageRepository = new SqliteMessageRepository(this.database, {
      random: options.random ?? Math.random,
      ...(options.groupCommit !== undefined && { groupCommit: options.groupCommit }),
      ...(worker !== undefined && { worker }),
      moveAtRows,
      soleWriter,
    });
    this.messages = this.messageRepository;
    const settle = (appKey?: AppKey, owner?: UserId): Promise<void> => this.messageRepository.settle(appKey, owner);
    this.conversations = new SqliteConversationRepository(this.database, settle);
    this.users = new SqliteUserRepository(this.database);
    this.conversationStates = new SqliteConversationStateRepository(this.database);
    this.conversationTypeSettings = new SqliteConversationTypeSettingRepository(this.database);
    // Chatroom appends commit when they are called (a batch of one, committed synchronously inside
    // `append`), not at the end of the turn: deferring them cut chatroom fan-out ≈ 10× (bench P3 at 5,000
    // members: ≈ 700k → ≈ 60k deliveries/s; bench/analysis/p3-chatroom.md, round 4), a cost far above the
    // fsync per room message that grouping saved. Private messages keep their group commit.
    this.chatroomRepository = new SqliteChatroomRepository(this.database, {
      random: options.random ?? Math.random,
      groupCommit: { ...options.groupCommit, maxBatch: 1 },
    });
    this.chatrooms = this.chatroomRepository;
    this.groups = new SqliteGroupRepository(this.database, settle);
    this.userLists = new SqliteUserListRepository(this.database);
    this.chatBans = new SqliteChatBanRepository(this.database);
    this.userPushSettings = new SqliteUserPushSettingRepository(this.database);
    this.callbackQueue = new SqliteCallbackQueue(this.database);
    this.messageLog = new SqliteMessageLog(this.database);
    this.tags = new SqliteTagRepository(this.database);
    this.readPositions = new SqliteReadPositionRepository(this.database);
    this.sensitiveWords = new SqliteSensitiveWordRepository(this.database);
    this.expansions = new SqliteMessageExpansionRepository(this.database, () => this.messageRepository.forgetSyncTails());
    this.unreadCounts = new SqliteUnreadCountRepository(this.database, settle);
    this.userTags = new SqliteUserTagRepository(this.database);
    this.pushes = new SqlitePushRecordRepository(this.database);
    this.chatroomDistribution = new SqliteChatroomDistributionRepository(this.database);
    this.apps = new SqliteAppRepository(this.database);
    this.serverEvents = new SqliteServerEventRepository(this.database);
  }

  /**
   * Runs the migrations, then moves entries a previous process left pending (it stopped between two moves) and
   * writes the conversation rows it left behind (migration 015).
   */
  async migrate(): Promise<void> {
    this.database.migrate(MIGRATIONS);
    this.messageRepository.movePendingNow();
  }

  /** Idempotent; appends already queued are committed first; later calls on the repositories reject. */
  async close(): Promise<void> {
    if (this.database.open) await Promise.all([this.messageRepository.close(), this.chatroomRepository.flush()]);
    this.database.close();
  }
}

export function createSqliteStore(options: SqliteStoreOptions): Store {
  return new SqliteStore(options);
}
