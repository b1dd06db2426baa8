/**
 * Firing events on a compiled mini-program page the way the host does, for
 * component-runtime.ts: the WXML the compiler wrote is read only to find which data key holds an
 * element's event-handler name (`bindtap="{{i}}"`); the handler name is then looked up in the
 * page's rendered data and that method of the page instance is called with a host event.
 */
import { parseDataPath, type ComponentPage } from './component-runtime';

type Handler = (...args: unknown[]) => unknown;

export interface HostEvent {
  readonly type: string;
  readonly detail: Record<string, unknown>;
  readonly target: { readonly id: string; readonly dataset: Record<string, unknown> };
  readonly currentTarget: { readonly id: string; readonly dataset: Record<string, unknown> };
  readonly timeStamp: number;
}

export interface Binding {
  /** The data key holding the handler name (`i`, or `item.g` inside a wx:for). */
  readonly key: string;
  /** For an element inside `wx:for="{{list}}" wx:for-item="item"`: the list's key and item name. */
  readonly loop?: { readonly list: string; readonly item: string };
}

/**
 * Where the compiled page `wxml` binds `event` (tap, input, confirm…) on the first element whose
 * class list has `className`: the element's own `bind<event>="{{key}}"`, and its own wx:for if it
 * is repeated. (uni-app's compiler puts v-for, class and handlers of one element on that element.)
 */
export function bindingOf(wxml: string, className: string, event: string): Binding {
  for (const tag of wxml.match(/<[a-z-]+\s[^>]*>/g) ?? []) {
    const classes = /\sclass="([^"]*)"/.exec(tag)?.[1]?.split(/\s+/) ?? [];
    if (!classes.includes(className)) continue;
    const key = new RegExp(`\\sbind${event}="\\{\\{([\\w.]+)\\}\\}"`).exec(tag)?.[1];
    if (key === undefined) throw new Error(`.${className} has no bind${event}`);
    const list = /\swx:for="\{\{([\w.]+)\}\}"/.exec(tag)?.[1];
    const item = /\swx:for-item="(\w+)"/.exec(tag)?.[1] ?? 'item';
    return list === undefined ? { key } : { key, loop: { list, item } };
  }
  throw new Error(`no element with class ${className}`);
}

function dataAt(data: unknown, dottedPath: string): unknown {
  return parseDataPath(dottedPath).reduce<unknown>((node, part) => (node === null || typeof node !== 'object' ? undefined : (node as Record<string | number, unknown>)[part]), data);
}

/**
 * Fires `event` on the element `binding` names, as the host does: the handler's method name comes
 * from the page's rendered data (for a repeated element, from the rendered item `index`).
 */
export function dispatch(page: ComponentPage, binding: Binding, event: { type: string; detail?: Record<string, unknown>; dataset?: Record<string, unknown> }, index = 0): unknown {
  const scope = binding.loop === undefined ? page.data : { [binding.loop.item]: dataAt(page.data, `${binding.loop.list}[${index}]`) };
  const name = dataAt(scope, binding.key);
  if (typeof name !== 'string') throw new Error(`${page.route}: no handler rendered at ${binding.key} (got ${String(name)})`);
  const method = page[name];
  if (typeof method !== 'function') throw new Error(`${page.route}: handler ${name} is not a method of the page`);
  const target = { id: '', dataset: event.dataset ?? {} };
  const hostEvent: HostEvent = { type: event.type, detail: event.detail ?? {}, target, currentTarget: target, timeStamp: Date.now() };
  return (method as Handler).call(page, hostEvent);
}
