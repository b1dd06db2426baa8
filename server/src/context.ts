/**
 * Everything a request handler or gateway session may use, built once by main.ts (the composition
 * root). Only main.ts knows the concrete engines behind these interfaces.
 */
import type { AppRegistry, ServerConfig } from './config';
import type { Logger } from './log';
import type { TokenService } from './services/auth-tokens';
import type { Store } from './store/store';
import type { FileService } from './files/file-service';

export type { AppConfig, AppRegistry, ServerConfig } from './config';
export type { Logger } from './log';

export interface Clock {
  /** Unix epoch milliseconds. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export interface ServerContext {
  readonly config: ServerConfig;
  readonly store: Store;
  readonly apps: AppRegistry;
  readonly tokens: TokenService;
  readonly clock: Clock;
  readonly log: Logger;
  /** The built-in file service (upload tokens, uploads, downloads); absent = file topics answer 39002. */
  readonly files?: FileService;
}
