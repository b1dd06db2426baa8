/** Group row shapes shared by the SQL engines. */

export interface GroupRow {
  readonly group_id: string;
  readonly name: string;
  readonly created_time: number;
  readonly member_count: number;
}

export interface MemberRow {
  readonly user_id: string;
  readonly joined_time: number;
}

export interface GagRow {
  readonly user_id: string;
  readonly group_id: string;
  readonly start_time: number;
  readonly until: number;
}

/** The distinct items, first occurrence order. */
export function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}
