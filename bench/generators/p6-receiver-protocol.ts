/**
 * IPC protocol between the P6 orchestrator and its two receiver processes (our SDK, the official
 * client). Both receivers speak it identically, so the orchestrator treats them alike:
 *   parent → child  { type: 'init', config }          child → parent { type: 'ready' } once connected
 *   parent → child  { type: 'expect', count }         child → parent { type: 'done', … } after `count`
 *                                                      messages reached its listener
 *   parent → child  { type: 'exit' }
 * `expect` starts the CPU window: the child reads process.cpuUsage() when it gets the message and
 * again in the listener call that completes the count, so the figure is the CPU the whole receiving
 * process spent on the stream (socket read, frame and protobuf decode, sync pulls, dispatch).
 */
export interface P6ReceiverConfig {
  readonly url: string;
  readonly appKey: string;
  readonly token: string;
  /** Thin receiver only: connect with `directPush=1` and take stored messages as `s_msg` (our SDK's path). */
  readonly direct?: boolean;
}

export type P6ParentMessage =
  | { readonly type: 'init'; readonly config: P6ReceiverConfig }
  | { readonly type: 'expect'; readonly count: number }
  | { readonly type: 'exit' };

export type P6ChildMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'done'; readonly received: number; readonly cpuMicros: number; readonly wallMs: number }
  | { readonly type: 'error'; readonly message: string };
