#!/usr/bin/env node
/**
 * `npm run build`: wipes dist/ and runs every bundle of rollup.config.mjs, one after another
 * (the machines we run on have few cores; the .d.ts passes are CPU-bound). Exits non-zero on the
 * first failed bundle, after printing rollup's message.
 */
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { rollup } from 'rollup';
import { loadConfigFile } from 'rollup/loadConfigFile';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);

function outputsOf(options) {
  return options.output.map((o) => o.file ?? o.dir).join(', ');
}

async function main() {
  const started = Date.now();
  await rm(path.join(root, 'dist'), { recursive: true, force: true });
  const { options, warnings } = await loadConfigFile(path.join(root, 'rollup.config.mjs'), {});
  warnings.flush();
  for (const config of options) {
    const t0 = Date.now();
    const bundle = await rollup(config);
    try {
      await Promise.all(config.output.map((output) => bundle.write(output)));
    } finally {
      await bundle.close();
    }
    console.log(`build: ${String(config.input)} → ${outputsOf(config)} (${Date.now() - t0} ms)`);
  }
  console.log(`build: done in ${Date.now() - started} ms`);
}

main().catch((error) => {
  const where = error.id ? ` in ${path.relative(root, error.id)}` : '';
  console.error(`build failed${where}: ${error.message}`);
  if (error.frame) console.error(error.frame);
  process.exitCode = 1;
});
