/**
 * A minimal WeChat App/Page host for running a native mini-program's logic in Node: the app's JS
 * files evaluated in one vm context (the mini-program's JS realm) with `wx` (a host simulator plus
 * the few UI APIs pages call), `App`, `Page`, `getApp`, `getCurrentPages`, timers and `console`;
 * `require` resolving relative modules and npm packages the way "Build npm" lays them out; a page
 * stack with onLoad/onShow/onHide/onUnload, `setData` (top-level and `a.b` keys) and navigation.
 * Layout and rendering (WXML, WXSS) are out of scope: tests drive pages through their methods.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';

type Handler = (...args: unknown[]) => unknown;

export interface PageInstance {
  readonly route: string;
  readonly options: Record<string, string>;
  data: Record<string, unknown>;
  setData(patch: Record<string, unknown>, callback?: () => void): void;
  /** What onLoad returned (demo pages return promises so tests can wait for them). */
  loaded: unknown;
  [method: string]: unknown;
}

export interface RuntimeOptions {
  /** The mini-program root (where app.js and app.json are). */
  readonly root: string;
  /** npm package name → the file "Build npm" would put in miniprogram_npm/<name>/index.js. */
  readonly packages: Readonly<Record<string, string>>;
  /** The host simulator's `wx`. */
  readonly wx: object;
}

export interface MiniProgramRuntime {
  readonly app: Record<string, unknown>;
  readonly stack: readonly PageInstance[];
  readonly toasts: string[];
  /** Files `wx.chooseMedia` hands out next (tempFilePath), in order. */
  readonly picks: string[];
  current(): PageInstance;
  /** Opens the first page of app.json (as the host does at launch). */
  launch(): PageInstance;
  /** The user pressed the back button (the host's navigateBack). */
  back(): void;
  /** A module of the mini-program, as its own code would `require` it from the root. */
  require(request: string): unknown;
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

function setPath(target: Record<string, unknown>, key: string, value: unknown): void {
  const parts = key.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    if (node[part] === null || typeof node[part] !== 'object') node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts[parts.length - 1] ?? key] = value;
}

export function createMiniProgramRuntime(options: RuntimeOptions): MiniProgramRuntime {
  const root = path.resolve(options.root);
  const cache = new Map<string, { exports: unknown }>();
  const definitions = new Map<string, Record<string, unknown>>();
  const stack: PageInstance[] = [];
  const toasts: string[] = [];
  const picks: string[] = [];
  let app: Record<string, unknown> = {};
  let registering: string | undefined;

  const call = (fn: unknown, result: unknown): void => {
    if (typeof fn === 'function') (fn as Handler)(result);
  };
  const settle = (o: Record<string, unknown> | undefined, result: unknown): void => {
    setTimeout(() => {
      call(o?.['success'], result);
      call(o?.['complete'], result);
    }, 0);
  };

  const lifecycle = (page: PageInstance, name: string, ...args: unknown[]): unknown => {
    const fn = page[name];
    return typeof fn === 'function' ? (fn as Handler).apply(page, args) : undefined;
  };

  const open = (url: string): PageInstance => {
    const { route, query } = parseUrl(url);
    let definition = definitions.get(route);
    if (definition === undefined) {
      registering = route;
      requireFrom(root, `./${route}`);
      registering = undefined;
      definition = definitions.get(route);
      if (definition === undefined) throw new Error(`${route}.js did not call Page()`);
    }
    const page = { ...definition } as PageInstance;
    Object.assign(page, {
      route,
      options: query,
      data: JSON.parse(JSON.stringify(definition['data'] ?? {})) as Record<string, unknown>,
      setData(patch: Record<string, unknown>, callback?: () => void) {
        for (const [key, value] of Object.entries(patch)) setPath(page.data, key, value);
        if (callback) setTimeout(callback, 0);
      },
    });
    page.loaded = lifecycle(page, 'onLoad', query);
    lifecycle(page, 'onShow');
    return page;
  };

  const wx: Record<string, unknown> = Object.assign(Object.create(null) as Record<string, unknown>, options.wx, {
    navigateTo(o: { url: string }) {
      const top = stack[stack.length - 1];
      if (top) lifecycle(top, 'onHide');
      stack.push(open(o.url));
      settle(o, { errMsg: 'navigateTo:ok' });
    },
    redirectTo(o: { url: string }) {
      const top = stack.pop();
      if (top) lifecycle(top, 'onUnload');
      stack.push(open(o.url));
      settle(o, { errMsg: 'redirectTo:ok' });
    },
    /** wx.reLaunch: every open page closes (last first), then `url` opens as the only page. */
    reLaunch(o: { url: string }) {
      for (let top = stack.pop(); top !== undefined; top = stack.pop()) lifecycle(top, 'onUnload');
      stack.push(open(o.url));
      settle(o, { errMsg: 'reLaunch:ok' });
    },
    navigateBack(o: { delta?: number } = {}) {
      for (let i = 0; i < (o.delta ?? 1) && stack.length > 1; i++) {
        const top = stack.pop();
        if (top) lifecycle(top, 'onUnload');
      }
      const top = stack[stack.length - 1];
      if (top) lifecycle(top, 'onShow');
      settle(o, { errMsg: 'navigateBack:ok' });
    },
    showToast(o: { title: string }) {
      toasts.push(o.title);
      settle(o, { errMsg: 'showToast:ok' });
    },
    showLoading: (o: Record<string, unknown>) => settle(o, { errMsg: 'showLoading:ok' }),
    hideLoading: (o?: Record<string, unknown>) => settle(o, { errMsg: 'hideLoading:ok' }),
    setNavigationBarTitle: (o: Record<string, unknown>) => settle(o, { errMsg: 'setNavigationBarTitle:ok' }),
    chooseMedia(o: Record<string, unknown>) {
      const picked = picks.shift();
      if (picked === undefined) {
        setTimeout(() => call(o['fail'], { errMsg: 'chooseMedia:fail cancel' }), 0);
        return;
      }
      settle(o, { type: 'image', tempFiles: [{ tempFilePath: picked, size: 0, fileType: 'image' }], errMsg: 'chooseMedia:ok' });
    },
  });

  const sandbox: Record<string, unknown> = {
    wx,
    setTimeout,
    clearTimeout,
    setInterval,
    clearInterval,
    console,
    App: (definition: Record<string, unknown>) => {
      app = definition;
    },
    Page: (definition: Record<string, unknown>) => {
      if (registering === undefined) throw new Error('Page() outside a page module');
      definitions.set(registering, definition);
    },
    getApp: () => app,
    getCurrentPages: () => [...stack],
  };
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
    if (!request.startsWith('.') && !request.startsWith('/')) {
      const file = options.packages[request];
      if (file === undefined) throw new Error(`module "${request}" is not in miniprogram_npm`);
      return load(path.resolve(file));
    }
    const target = path.resolve(request.startsWith('/') ? root : dir, request.replace(/^\//, ''));
    return load(target.endsWith('.js') ? target : `${target}.js`);
  }

  return {
    get app() {
      return app;
    },
    stack,
    toasts,
    picks,
    current: () => {
      const top = stack[stack.length - 1];
      if (top === undefined) throw new Error('no page open');
      return top;
    },
    back: () => (wx['navigateBack'] as Handler)({}),
    require: (request) => requireFrom(root, request),
    launch() {
      load(path.join(root, 'app.js'));
      lifecycle(app as PageInstance, 'onLaunch', { path: '', query: {}, scene: 1001 });
      lifecycle(app as PageInstance, 'onShow', { path: '', query: {}, scene: 1001 });
      const config = JSON.parse(readFileSync(path.join(root, 'app.json'), 'utf8')) as { pages: string[] };
      const first = config.pages[0];
      if (first === undefined) throw new Error('app.json has no pages');
      stack.push(open(`/${first}`));
      return stack[0] as PageInstance;
    },
  };
}
