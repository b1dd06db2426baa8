/**
 * Compile-time only (tsconfig.toutiao.json, never imported): Douyin's published typings
 * (@douyin-microapp/typings, the global `tt`) satisfy ToutiaoHost, so `createToutiaoAdapter(tt)`
 * accepts the real `tt` — apart from the two members narrowed below, each with its reason.
 */
import type { HostCloseResult } from '../shared/task-socket';
import type { ToutiaoHost } from './toutiao-host';

type Satisfies<T extends U, U> = T;

type PublishedTt = typeof tt;
type PublishedSocketTask = ReturnType<PublishedTt['connectSocket']>;
type PublishedRequestOptions = Parameters<PublishedTt['request']>[0];

type NarrowedTt = Omit<PublishedTt, 'connectSocket' | 'request'> & {
  /**
   * SocketTask.onClose: the typings give the close `code` as `string | number`; the shared socket
   * mapping (HostCloseResult) reads a number and takes anything else as 1006 (abnormal closure).
   */
  connectSocket(...args: Parameters<PublishedTt['connectSocket']>): Omit<PublishedSocketTask, 'onClose'> & {
    onClose(listener: (result: HostCloseResult) => void): void;
  };
  /**
   * tt.request `data`: the typings (and the current doc) list object | ArrayBuffer | array, older
   * docs also string. Only comet POSTs a string body ('{}'), and the Toutiao adapter runs the
   * WebSocket (binary frames) unless the app turns comet on.
   */
  request(options: Omit<PublishedRequestOptions, 'data'> & { data?: string | ArrayBuffer }): ReturnType<PublishedTt['request']>;
};

export type OfficialTtIsAToutiaoHost = Satisfies<NarrowedTt, ToutiaoHost>;
