/** The fields every log line about a session carries (log.ts conventions): connection id, app, user. */
export function logFields(
  info: { readonly sessionId: string; readonly appKey: string; readonly userId: string },
  extra?: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  return { connId: info.sessionId, appKey: info.appKey, userId: info.userId, ...extra };
}
