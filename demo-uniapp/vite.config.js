/**
 * Vite config for the uni-app demo. `lianxin/uniapp` is the SDK's uni-app entry, resolved to the
 * repository's build (dist/uniapp.mjs, made by `npm run build` at the root) the way an app that
 * installed the `lianxin` package would get it; an app outside this repository drops the alias.
 * `VITE_LIANXIN_NAVI` presets the server address on the login page (default http://127.0.0.1:8080).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import uniPlugin from '@dcloudio/vite-plugin-uni';

const here = path.dirname(fileURLToPath(import.meta.url));
// The plugin is published as CommonJS: its default export arrives wrapped under Node's ESM loader.
const uni = typeof uniPlugin === 'function' ? uniPlugin : uniPlugin.default;

export default defineConfig({
  plugins: [uni()],
  resolve: {
    alias: [{ find: /^lianxin\/uniapp$/, replacement: path.resolve(here, '..', 'dist', 'uniapp.mjs') }],
  },
});
