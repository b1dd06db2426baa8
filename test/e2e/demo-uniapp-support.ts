/**
 * Builds demo-uniapp/ for one target with uni-app's own CLI (`uni build [-p mp-weixin]`, what
 * `npm run build:h5|build:mp-weixin -w demo-uniapp` runs), after making sure the SDK's dist/ exists
 * (the demo imports `lianxin/uniapp`, aliased to dist/uniapp.mjs). The build needs no network.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ensureBuilt, REPO_ROOT } from '../support/dist';

export const DEMO_ROOT = path.join(REPO_ROOT, 'demo-uniapp');
const UNI_CLI = path.join(REPO_ROOT, 'node_modules', '@dcloudio', 'vite-plugin-uni', 'bin', 'uni.js');

export type UniTarget = 'h5' | 'mp-weixin';

/** Builds the demo for `target`; resolves with the output directory (demo-uniapp/dist/build/<target>). */
export function buildDemo(target: UniTarget): Promise<string> {
  ensureBuilt(['dist/uniapp.mjs']);
  const out = path.join(DEMO_ROOT, 'dist', 'build', target);
  const args = [UNI_CLI, 'build', ...(target === 'h5' ? [] : ['-p', target])];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { cwd: DEMO_ROOT, timeout: 170_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`uni build ${target} failed: ${error.message}\n${stdout}\n${stderr}`));
      else if (!existsSync(out)) reject(new Error(`uni build ${target} wrote no ${out}\n${stdout}`));
      else resolve(out);
    });
  });
}
