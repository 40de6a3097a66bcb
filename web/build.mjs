// Builds the dashboard into dist/: assets/app.js and assets/app.css (minified,
// with source maps alongside), assets/favicon.svg and index.html. The server
// serves dist/index.html at / and dist/assets/NAME at /assets/NAME
// (`leadscore serve --web web/dist`), so every asset stays flat in assets/.
import { build } from 'esbuild';
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const src = join(here, 'src');
const dist = join(here, 'dist');
const assets = join(dist, 'assets');

await rm(dist, { recursive: true, force: true });
await mkdir(assets, { recursive: true });

const common = {
  bundle: true,
  minify: true,
  sourcemap: 'linked',
  legalComments: 'none',
  logLevel: 'warning',
};

await build({
  ...common,
  entryPoints: [join(src, 'main.js')],
  outfile: join(assets, 'app.js'),
  format: 'esm',
  target: ['es2022'],
  platform: 'browser',
});

await build({
  ...common,
  entryPoints: [join(src, 'style.css')],
  outfile: join(assets, 'app.css'),
  target: ['chrome110', 'firefox110', 'safari16'],
});

await copyFile(join(src, 'index.html'), join(dist, 'index.html'));
await copyFile(join(src, 'favicon.svg'), join(assets, 'favicon.svg'));

console.log(`built ${dist}`);
