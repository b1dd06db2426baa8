'use strict';
/**
 * Preload (NODE_OPTIONS `--require` or `--import`) that shifts a child process's wall clock — `Date.now()`,
 * `new Date()`, `Date()` — by an offset, leaving monotonic clocks and timers alone (performance.now, hrtime,
 * setTimeout), as a host whose clock is wrong, or set forward or back, would. The offset comes from one of:
 *
 * - LX_CLOCK_OFFSET_MS: a constant offset (a cluster node whose clock is skewed: cluster-clock-skew.test.ts);
 * - LX_CLOCK_START: the clock starts at this epoch ms and runs at the real rate (a server started "a moment after"
 *   an upgrade fixture's old server stopped: upgrade.test.ts);
 * - LX_CLOCK_OFFSET_FILE: read from this file, and again every 25 ms, so a test can set the clock forward or back
 *   while the process runs (the official client with a wrong device clock: device-clock.test.ts).
 */
const fs = require('node:fs');

const RealDate = Date;
const realNow = RealDate.now.bind(RealDate);
let offset = 0;
let shifted = false;

const constant = Number(process.env.LX_CLOCK_OFFSET_MS || 0);
const start = Number(process.env.LX_CLOCK_START || 0);
const file = process.env.LX_CLOCK_OFFSET_FILE;
if (file) {
  const read = () => {
    try {
      offset = Number(fs.readFileSync(file, 'utf8')) || 0;
    } catch {
      // Kept as it was: the test rewrites the file.
    }
  };
  read();
  setInterval(read, 25).unref();
  shifted = true;
} else if (Number.isFinite(start) && start > 0) {
  offset = start - realNow();
  shifted = true;
} else if (Number.isFinite(constant) && constant !== 0) {
  offset = constant;
  shifted = true;
}

if (shifted) {
  function ShiftedDate(...args) {
    if (new.target === undefined) return new RealDate(realNow() + offset).toString();
    return Reflect.construct(RealDate, args.length === 0 ? [realNow() + offset] : args, new.target);
  }
  ShiftedDate.prototype = RealDate.prototype;
  Object.setPrototypeOf(ShiftedDate, RealDate);
  ShiftedDate.now = () => realNow() + offset;
  Object.defineProperty(RealDate.prototype, 'constructor', { value: ShiftedDate, writable: true, configurable: true });
  globalThis.Date = ShiftedDate;
}
