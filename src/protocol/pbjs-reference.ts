/**
 * The pbjs static code (proto/gen/rc.js) with protobufjs/minimal configured for this wire: the
 * reference oracle the table codec is checked against (test/unit/protocol/table-codec-*.test.ts,
 * `npm run bench -- codec`). The SDK never imports this module, so its bundles carry neither
 * protobufjs nor the generated classes.
 *
 * int64 → number: protobufjs decodes int64 as Long.js objects whenever it can find Long.js at load
 * time, and as plain numbers otherwise, so the same payload would yield different shapes per host.
 * Every int64 on this wire is a millisecond timestamp, a cursor or a flag word, all below 2^53:
 * clear `util.Long` and re-run configure(), which re-binds Reader.prototype.int64 & co. to their
 * number variants (the generated prototype defaults are plain `0`; scripts/gen-proto.mjs strips
 * the Long branch). This mutates the process's shared protobufjs/minimal instance; the official
 * RongCloud clients bundle their own protobuf copy and are unaffected.
 */
import $protobuf from 'protobufjs/minimal.js';

import { rc } from '../../proto/gen/rc';

// protobufjs types `util.Long` as always present; it tests the property for truthiness at runtime.
$protobuf.util.Long = undefined as unknown as typeof $protobuf.util.Long;
$protobuf.configure();

export { rc };

/** protobufjs's portable (non-Buffer) writer: what browsers and mini-programs used to write. */
export function portableWriter(): $protobuf.Writer {
  return new $protobuf.Writer();
}
