/** The push_records row shape both SQL engines read, and its mapper (as rows.ts does for the core tables). */
import type { PushRecord } from './push-repository';

export interface PushRow {
  app_key: string;
  id: string;
  created_time: number;
  from_user_id: string;
  platforms: string;
  audience: string;
  notification: string;
  object_name: string | null;
  recipient_count: number;
}

export function pushRecordOf(row: PushRow): PushRecord {
  return {
    appKey: row.app_key,
    id: row.id,
    createdTime: row.created_time,
    fromUserId: row.from_user_id,
    platforms: JSON.parse(row.platforms) as string[],
    audience: row.audience,
    notification: row.notification,
    ...(row.object_name === null ? {} : { objectName: row.object_name }),
    recipientCount: row.recipient_count,
  };
}
