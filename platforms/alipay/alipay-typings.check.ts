/**
 * Compile-time only (tsconfig.alipay.json, never imported): Alipay's published typings
 * (@mini-types/alipay, the global `my`) satisfy AlipayHost, so `createAlipayAdapter(my)` accepts
 * the real `my` — apart from the members narrowed below, each with its reason.
 */
import type { AlipayHost } from './alipay-host';

type Satisfies<T extends U, U> = T;

type PublishedMy = typeof my;

/**
 * - connectSocket: the typings' `multiple: true` overload has no success/fail/complete and its
 *   SocketTask events nest the payload (`{ data: { socketTaskID, data, isBuffer } }`) where the prose
 *   docs and the global my.onSocketMessage have it flat (`{ data, isBuffer }`); the adapter reads both
 *   (platforms/shared/task-socket.ts `frameOf`), and the simulator delivers either (`taskMessages`).
 * - request: the typings declare RequestTask.abort with a required argument; the docs call it
 *   without one, as the adapter does.
 * - uploadFile: the typings require `name` (the file field, wx style) and make `fileName`
 *   optional; the adapter sends the documented `fileName`.
 * - onAppHide / offAppHide / offAppShow: the typings' listeners take no argument; the shared
 *   lifecycle host declares `(options: unknown) => void` and ignores it.
 */
type Narrowed = 'connectSocket' | 'request' | 'uploadFile' | 'onAppHide' | 'offAppHide' | 'offAppShow';
type NarrowedMy = Omit<PublishedMy, Narrowed> & Pick<AlipayHost, Narrowed>;

export type OfficialMyIsAnAlipayHost = Satisfies<NarrowedMy, AlipayHost>;
