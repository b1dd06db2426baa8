/**
 * messageUIds built inside an append statement (message-uid.ts layout): the time part is computed in SQL
 * from the time the statement itself ticked, so a whole append can be one autocommit statement (its clock
 * row lock then spans no client round trip). The 7 random characters come from the caller.
 */
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUV';

/**
 * SQL for the formatted uid `XXXX-XXXX-XXXX-XXXX`: `time` is a bigint SQL expression (the sentTime),
 * `random` a text expression of 7 base32hex characters.
 */
export function uidSql(time: string, random: string): string {
  const tp = `(SELECT string_agg(substr('${ALPHABET}', (((${time}) % 35184372088832 >> (5 * (8 - i))) & 31)::int + 1, 1), '' ORDER BY i) FROM generate_series(0, 8) AS i)`;
  return `(SELECT substr(tp, 1, 4) || '-' || substr(tp, 5, 4) || '-' || substr(tp, 9, 1) || substr(${random}, 1, 3) || '-' || substr(${random}, 4, 4) FROM (SELECT ${tp} AS tp) AS uid_time)`;
}

/** `count` random base32hex characters; `random` returns [0, 1) like Math.random. */
export function randomUidChars(random: () => number, count = 7): string {
  let out = '';
  for (let i = 0; i < count; i++) out += ALPHABET.charAt(Math.min(31, Math.max(0, Math.floor(random() * 32))));
  return out;
}
