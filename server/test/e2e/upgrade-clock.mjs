/**
 * Preloaded into the CURRENT server by server/test/e2e/upgrade.test.ts (NODE_OPTIONS `--import`): the wall
 * clock (`Date.now()`, `new Date()`, `Date()`) starts at LX_UPGRADE_CLOCK_START (epoch ms) and runs at the real
 * rate from there, so the server starts "a moment after" the old one stopped when its upgrade fixture was
 * made, however long ago that was. Without it the data the fixtures hold would age: a user/block lasts at
 * most 30 days, chatrooms and timed rooms are destroyed by the clock. Monotonic clocks (performance.now,
 * hrtime, timers) are left alone; only a constant offset is added.
 */
const start = Number(process.env.LX_UPGRADE_CLOCK_START);
if (Number.isFinite(start) && start > 0) {
  const RealDate = Date;
  const realNow = RealDate.now.bind(RealDate);
  const offset = start - realNow();
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
