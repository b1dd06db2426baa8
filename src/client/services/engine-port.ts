/**
 * What the services need from the connection engine (src/client/im-engine.ts), and nothing more
 * (nats `PH` style): publish/query with their acks, inbound pushes and echoes, and who/when we are
 * connected. Services never see sockets, frames or reconnect logic.
 */
import type { Engine } from '../im-engine';

export type { EchoEvent, PublishOptions, PublishResult, PushEvent, QueryResult } from '../im-engine';

export type ServiceEngine = Pick<Engine, 'userId' | 'connectedAt' | 'serverTimeDelta' | 'navi' | 'publish' | 'query' | 'on'>;
