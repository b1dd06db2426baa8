/**
 * The wire schema as plain tables, parsed once from the compact strings scripts/gen-proto.mjs
 * writes into proto/gen/rc-schema.ts. The table codec (./table-codec) and comet JSON
 * (./comet-json) read these; nothing here reflects over protobufjs or evaluates code.
 */
import { RC_ENUM_TABLE, RC_MESSAGE_TABLE } from '../../proto/gen/rc-schema';
import type { RcEnumName, RcField, RcFieldRule, RcMessageName, RcScalar } from '../../proto/gen/rc-schema';

export type { RcEnumName, RcField, RcFieldRule, RcMessageName, RcScalar } from '../../proto/gen/rc-schema';

const SCALARS: Readonly<Record<string, RcScalar>> = { i: 'int32', l: 'int64', b: 'bool', s: 'string', y: 'bytes' };
const FIELD = /^(\w+)\.(\w+?)([!*]?)(?:=(\d+))?$/;

function parseMessages(table: string): Record<string, RcField[]> {
  const out: Record<string, RcField[]> = {};
  for (const entry of table.split(';')) {
    const colon = entry.indexOf(':');
    let id = 0;
    out[entry.slice(0, colon)] = entry
      .slice(colon + 1)
      .split(',')
      .map((token): RcField => {
        const m = FIELD.exec(token);
        if (m === null) throw new Error(`schema: bad field token ${token}`);
        const [, name = '', type = '', rule] = m;
        id = m[4] === undefined ? id + 1 : Number(m[4]);
        const r: RcFieldRule = rule === '!' ? 'required' : rule === '*' ? 'repeated' : 'optional';
        // The generator writes only scalar codes and names from the same schema.
        return [id, name, (SCALARS[type] ?? type) as RcField[2], r];
      });
  }
  return out;
}

function parseEnums(table: string): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const entry of table.split(';')) {
    const colon = entry.indexOf(':');
    const values: Record<string, number> = {};
    for (const pair of entry.slice(colon + 1).split(',')) {
      const eq = pair.indexOf('=');
      values[pair.slice(0, eq)] = Number(pair.slice(eq + 1));
    }
    out[entry.slice(0, colon)] = values;
  }
  return out;
}

/** Fields of every message in package rc, ascending by field number. */
export const RC_MESSAGES = parseMessages(RC_MESSAGE_TABLE) as unknown as { readonly [K in RcMessageName]: readonly RcField[] };

/** Values of every enum in package rc. */
export const RC_ENUMS = parseEnums(RC_ENUM_TABLE) as unknown as { readonly [K in RcEnumName]: Readonly<Record<string, number>> };

export function isEnumName(type: string): type is RcEnumName {
  return Object.prototype.hasOwnProperty.call(RC_ENUMS, type);
}

export function isMessageName(type: string): type is RcMessageName {
  return Object.prototype.hasOwnProperty.call(RC_MESSAGES, type);
}
