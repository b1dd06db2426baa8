/**
 * A minimal WeChat App/Page/Component host for running a COMPILED mini-program in Node, such as
 * uni-app's mp-weixin output (app.js → common/vendor.js, pages/<name>/<name>.js): every file
 * evaluated as a CommonJS module in one vm context (the mini-program's JS realm) with `wx`, `App`,
 * `Page`, `Component`, `getApp`, `getCurrentPages`, timers and `console`; a page stack whose pages
 * may be registered with `Page()` or — as uni-app does — with `Component()` (then the host runs
 * lifetimes created → attached → methods.onLoad → onShow → ready, and detached after onUnload);
 * `setData` with WeChat's data paths (`a.b`, `a[0].c`) and its asynchronous callback; navigation.
 *
 * Rendering is out of scope; tests fire a page's events through the handlers its compiled WXML
 * binds (wxml-bindings.ts).
 *
 * Anything the app reads from `wx` that this host does not provide is recorded in `missingWx`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';

type Handler = (...args: unknown[]) => unknown;
type Options = Record<string, unknown>;

export interface ComponentPage {
  readonly route: string;
  readonly is: string;
  options: Record<string, string>;
  data: Record<string, unknown>;
  properties: Record<string, unknown>;
  setData(patch: Record<string, unknown>, callback?: () => void): void;
  [member: string]: unknown;
}

export interface ComponentRuntimeOptions {
  /** The compiled mini-program root (app.js, app.json, pages/…). */
  readonly root: string;
  /** The host simulator's `wx` (network, storage, app events). */
  readonly wx: object;
}

export interface ComponentRuntime {
  readonly stack: readonly ComponentPage[];
  /** Files `wx.chooseImage`/`wx.chooseMedia` hand out next (tempFilePath), in order. */
  readonly picks: string[];
  readonly toasts: string[];
  /** `wx` members the app read that this host does not have (the app may feature-test them). */
  readonly missingWx: Set<string>;
  /** Errors thrown by lifecycle code or host callbacks (a healthy app leaves this empty). */
  readonly errors: unknown[];
  /** Loads app.js (which calls App()), runs onLaunch/onShow and opens the first page of app.json. */
  launch(): ComponentPage;
  current(): ComponentPage;
  /** The user pressed the back button. */
  back(): void;
  /** A module of the compiled app, as its own code would `require` it from the root. */
  require(request: string): unknown;
}

/** `a.b[0].c` → ['a', 'b', 0, 'c'] (WeChat's setData path syntax). */
export function parseDataPath(key: string): Array<string | number> {
  const parts: Array<string | number> = [];
  for (const match of key.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) {
    if (match[2] !== undefined) parts.push(Number(match[2]));
    else if (match[1] !== undefined) parts.push(match[1]);
  }
  return parts;
}

function setPath(target: Record<string, unknown>, key: string, value: unknown): void {
  const parts = parseDataPath(key);
  let node: Record<string | number, unknown> = target;
  parts.forEach((part, i) => {
    if (i === parts.length - 1) {
      node[part] = value;
      return;
    }
    const next = node[part];
    if (next === null || typeof next !== 'object') node[part] = typeof parts[i + 1] === 'number' ? [] : {};
    node = node[part] as Record<string | number, unknown>;
  });
}

function parseUrl(url: string): { route: string; query: Record<string, string> } {
  const [pathPart = '', search = ''] = url.replace(/^\//, '').split('?');
  const query: Record<string, string> = {};
  for (const pair of search.split('&').filter((p) => p !== '')) {
    const [key = '', value = ''] = pair.split('=');
    query[decodeURIComponent(key)] = decodeURIComponent(value);
  }
  return { route: pathPart, query };
}

/** A property's initial value per WeChat's rules (explicit `value`, else the type's empty value). */
function propertyDefault(definition: unknown): unknown {
  if (definition === null || typeof definition !== 'object') return typeof definition === 'function' ? emptyOf(definition) : null;
  const d = definition as Options;
  return 'value' in d ? d['value'] : emptyOf(d['type']);
}

function emptyOf(type: unknown): unknown {
  if (type === String) return '';
  if (type === Number) return 0;
  if (type === Boolean) return false;
  if (type === Array) return [];
  return null;
}

/** A phone as `wx.getWindowInfo/getDeviceInfo/getAppBaseInfo` describe it. */
const SYSTEM = {
  window: { windowWidth: 375, windowHeight: 667, screenWidth: 375, screenHeight: 667, pixelRatio: 2, statusBarHeight: 20, safeArea: { top: 20, left: 0, right: 375, bottom: 667, width: 375, height: 647 } },
  device: { brand: 'devtools', model: 'iPhone 6', system: 'iOS 16.0', platform: 'devtools' },
  app: { language: 'en', version: '8.0.50', SDKVersion: '3.5.0', theme: 'light', fontSizeSetting: 16 },
} as const;

/** How the app was opened (scene 1001: from the recent-apps list). */
const LAUNCH = { path: '', scene: 1001 } as const;

const clone = <T>(value: T): T => (value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T));

export function createComponentRuntime(options: ComponentRuntimeOptions): ComponentRuntime {
  const root = path.resolve(options.root);
  const cache = new Map<string, { exports: unknown }>();
  const definitions = new Map<string, { kind: 'page' | 'component'; options: Options }>();
  const stack: ComponentPage[] = [];
  const picks: string[] = [];
  const toasts: string[] = [];
  const missingWx = new Set<string>();
  const errors: unknown[] = [];
  let app: Options = {};
  let registering: string | undefined;

  const guarded = (work: () => unknown): unknown => {
    try {
      return work();
    } catch (error) {
      errors.push(error);
      return undefined;
    }
  };
  const later = (work: () => void): void => {
    setTimeout(() => guarded(work), 0);
  };
  const callback = (o: Options | undefined, name: string, result: unknown): void => {
    const fn = o?.[name];
    if (typeof fn === 'function') (fn as Handler)(result);
  };
  const settle = (o: Options | undefined, result: unknown, ok = true): void =>
    later(() => {
      callback(o, ok ? 'success' : 'fail', result);
      callback(o, 'complete', result);
    });

  const invoke = (target: object, fn: unknown, ...args: unknown[]): unknown =>
    typeof fn === 'function' ? guarded(() => (fn as Handler).apply(target, args)) : undefined;

  function pageHook(page: ComponentPage, name: string, ...args: unknown[]): unknown {
    const definition = definitions.get(page.route);
    if (definition?.kind === 'component') {
      const methods = (definition.options['methods'] ?? {}) as Options;
      return invoke(page, methods[name] ?? page[name], ...args);
    }
    return invoke(page, page[name], ...args);
  }

  function lifetime(page: ComponentPage, name: string): void {
    const definition = definitions.get(page.route);
    if (definition?.kind !== 'component') return;
    const lifetimes = (definition.options['lifetimes'] ?? {}) as Options;
    invoke(page, lifetimes[name] ?? definition.options[name]);
  }

  function pageLifetime(page: ComponentPage, name: 'show' | 'hide'): void {
    const definition = definitions.get(page.route);
    const hooks = (definition?.options['pageLifetimes'] ?? {}) as Options;
    if (definition?.kind === 'component') invoke(page, hooks[name]);
  }

  function open(url: string): ComponentPage {
    const { route, query } = parseUrl(url);
    if (!definitions.has(route)) {
      registering = route;
      try {
        requireFrom(root, `./${route}`);
      } finally {
        registering = undefined;
      }
    }
    const definition = definitions.get(route);
    if (definition === undefined) throw new Error(`${route}.js registered neither Page() nor Component()`);
    const defined = definition.options;
    const properties: Record<string, unknown> = {};
    for (const [name, spec] of Object.entries((defined['properties'] ?? {}) as Options)) properties[name] = propertyDefault(spec);
    const data = { ...clone((defined['data'] ?? {}) as Record<string, unknown>), ...properties };
    const page = (definition.kind === 'component' ? { ...((defined['methods'] ?? {}) as Options) } : { ...defined }) as ComponentPage;
    Object.assign(page, {
      route,
      is: route,
      options: query,
      data,
      properties,
      setData(patch: Record<string, unknown>, done?: () => void) {
        for (const [key, value] of Object.entries(patch)) setPath(page.data, key, clone(value));
        if (done) later(done);
      },
      triggerEvent: () => undefined,
      selectComponent: () => null,
      selectAllComponents: () => [],
      createSelectorQuery: () => {
        throw new Error('createSelectorQuery is not simulated');
      },
    });
    lifetime(page, 'created');
    lifetime(page, 'attached');
    pageHook(page, 'onLoad', query);
    pageHook(page, 'onShow');
    pageLifetime(page, 'show');
    lifetime(page, 'ready');
    pageHook(page, 'onReady');
    return page;
  }

  function hide(page: ComponentPage | undefined): void {
    if (page === undefined) return;
    pageHook(page, 'onHide');
    pageLifetime(page, 'hide');
  }

  function unload(page: ComponentPage | undefined): void {
    if (page === undefined) return;
    pageHook(page, 'onUnload');
    lifetime(page, 'detached');
  }

  const ui: Options = {
    navigateTo(o: Options) {
      hide(stack[stack.length - 1]);
      stack.push(open(String(o['url'])));
      settle(o, { errMsg: 'navigateTo:ok' });
    },
    redirectTo(o: Options) {
      unload(stack.pop());
      stack.push(open(String(o['url'])));
      settle(o, { errMsg: 'redirectTo:ok' });
    },
    reLaunch(o: Options) {
      while (stack.length > 0) unload(stack.pop());
      stack.push(open(String(o['url'])));
      settle(o, { errMsg: 'reLaunch:ok' });
    },
    navigateBack(o: Options = {}) {
      const delta = typeof o['delta'] === 'number' ? o['delta'] : 1;
      for (let i = 0; i < delta && stack.length > 1; i++) unload(stack.pop());
      const top = stack[stack.length - 1];
      if (top !== undefined) {
        pageHook(top, 'onShow');
        pageLifetime(top, 'show');
      }
      settle(o, { errMsg: 'navigateBack:ok' });
    },
    showToast(o: Options) {
      toasts.push(String(o['title']));
      settle(o, { errMsg: 'showToast:ok' });
    },
    showLoading: (o: Options) => settle(o, { errMsg: 'showLoading:ok' }),
    hideLoading: (o?: Options) => settle(o, { errMsg: 'hideLoading:ok' }),
    setNavigationBarTitle: (o: Options) => settle(o, { errMsg: 'setNavigationBarTitle:ok' }),
    // System information uni-app's runtime reads at start-up (rpx conversion, locale, device id).
    getSystemInfoSync: () => ({ ...SYSTEM.window, ...SYSTEM.device, ...SYSTEM.app }),
    getWindowInfo: () => ({ ...SYSTEM.window }),
    getDeviceInfo: () => ({ ...SYSTEM.device }),
    getAppBaseInfo: () => ({ ...SYSTEM.app }),
    getLaunchOptionsSync: () => ({ ...LAUNCH, query: {}, referrerInfo: {} }),
    // Async storage over the simulator's sync storage (uni-app keeps its stat device id there).
    setStorage(o: Options) {
      guarded(() => (base['setStorageSync'] as Handler)(o['key'], o['data']));
      settle(o, { errMsg: 'setStorage:ok' });
    },
    chooseImage(o: Options) {
      const picked = picks.shift();
      if (picked === undefined) settle(o, { errMsg: 'chooseImage:fail cancel' }, false);
      else settle(o, { tempFilePaths: [picked], tempFiles: [{ path: picked, size: 0 }], errMsg: 'chooseImage:ok' });
    },
    chooseMedia(o: Options) {
      const picked = picks.shift();
      if (picked === undefined) settle(o, { errMsg: 'chooseMedia:fail cancel' }, false);
      else settle(o, { type: 'image', tempFiles: [{ tempFilePath: picked, size: 0, fileType: 'image' }], errMsg: 'chooseMedia:ok' });
    },
  };
  const base: Options = Object.assign(Object.create(null) as Options, options.wx, ui);
  // What the app reads from `wx` is recorded when absent. uni-app's runtime replaces the global
  // `wx` with its own copy (globalThis.wx = {...}); the copy is watched the same way.
  const watched = (target: Options): Options =>
    new Proxy(target, {
      get(t, key) {
        if (typeof key === 'string' && !(key in t)) missingWx.add(key);
        return t[key as string];
      },
    });
  let wx = watched(base);

  const sandbox: Options = {
    // WeChat's app service has a `global` object of its own (not the realm's global object).
    global: {},
    setTimeout,
    clearTimeout,
    setInterval,
    clearInterval,
    console,
    App: (definition: Options) => {
      app = definition;
    },
    Page: (definition: Options) => {
      if (registering === undefined) throw new Error('Page() outside a page module');
      definitions.set(registering, { kind: 'page', options: definition });
    },
    Component: (definition: Options) => {
      if (registering === undefined) throw new Error('Component() outside a page module (custom components are not simulated)');
      definitions.set(registering, { kind: 'component', options: definition });
    },
    getApp: () => app,
    getCurrentPages: () => [...stack],
  };
  Object.defineProperty(sandbox, 'wx', {
    enumerable: true,
    get: () => wx,
    set: (value: unknown) => {
      if (value !== null && typeof value === 'object') wx = watched(value as Options);
    },
  });
  const context = vm.createContext(sandbox);

  function load(file: string): unknown {
    const cached = cache.get(file);
    if (cached) return cached.exports;
    const module = { exports: {} as unknown };
    cache.set(file, module);
    const code = readFileSync(file, 'utf8');
    const factory = vm.runInContext(`(function (require, module, exports) {\n${code}\n})`, context, { filename: file }) as Handler;
    factory((request: unknown) => requireFrom(path.dirname(file), String(request)), module, module.exports);
    return module.exports;
  }

  function requireFrom(dir: string, request: string): unknown {
    if (!request.startsWith('.') && !request.startsWith('/')) throw new Error(`module "${request}": a compiled mini-program requires only its own files`);
    const target = path.resolve(request.startsWith('/') ? root : dir, request.replace(/^\//, ''));
    return load(target.endsWith('.js') ? target : `${target}.js`);
  }

  return {
    stack,
    picks,
    toasts,
    missingWx,
    errors,
    current() {
      const top = stack[stack.length - 1];
      if (top === undefined) throw new Error('no page open');
      return top;
    },
    back: () => (ui['navigateBack'] as Handler)({}),
    require: (request) => requireFrom(root, request),
    launch() {
      load(path.join(root, 'app.js'));
      const launchOptions = { ...LAUNCH, query: {}, referrerInfo: {} };
      invoke(app, app['onLaunch'], launchOptions);
      invoke(app, app['onShow'], launchOptions);
      const config = JSON.parse(readFileSync(path.join(root, 'app.json'), 'utf8')) as { pages: string[] };
      const first = config.pages[0];
      if (first === undefined) throw new Error('app.json has no pages');
      stack.push(open(`/${first}`));
      return stack[0] as ComponentPage;
    },
  };
}
