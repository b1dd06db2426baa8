/** Why an adapter's `PendingRequest.response` rejected; HTTP error statuses resolve instead. */
export type HttpFailureReason = 'timeout' | 'aborted' | 'network';

/** What adapters reject `PendingRequest.response` with, so the core can tell the three apart. */
export class HttpRequestError extends Error {
  readonly reason: HttpFailureReason;
  constructor(reason: HttpFailureReason, message: string) {
    super(message);
    this.name = 'HttpRequestError';
    this.reason = reason;
  }
}
