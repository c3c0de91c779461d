// Checks grafana/dashboards/*.json against Grafana's own dashboard schema: the TypeScript types that
// @grafana/schema generates from Grafana's CUE schema (the package ships types, not JSON Schema).
// Each dashboard is written into a .ts file as an object literal and checked with `satisfies`, so the TypeScript
// compiler reports missing required fields, wrong types and misspelt (excess) properties, recursively:
//   - the whole dashboard against Dashboard (raw/dashboard/x);
//   - each panel's `options` and `fieldConfig.defaults.custom` against its plugin's Options / FieldConfig
//     (timeseries, stat, bargauge, table), deep-partial because Grafana fills missing options with defaults.
// String enums in the types (MappingType, FieldColorModeId, ...) are compared by their string values, as JSON has them.
// Usage: npm ci && node check-dashboards.mjs [file.json...]   Exit 0 when every dashboard type-checks.
import { mkdirSync, readdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { join, dirname, basename, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';

const here = dirname(fileURLToPath(import.meta.url));
const files = process.argv.length > 2
  ? process.argv.slice(2).map(f => resolve(f))
  : readdirSync(join(here, '..', 'dashboards')).filter(f => f.endsWith('.json')).sort().map(f => join(here, '..', 'dashboards', f));
if (files.length === 0) { console.error('no dashboards found'); process.exit(2); }

const S = '@grafana/schema/dist/esm/raw';
const plugins = {
  timeseries: { path: `${S}/composable/timeseries/panelcfg/x/TimeSeriesPanelCfg_types.gen`, fieldConfig: true },
  stat: { path: `${S}/composable/stat/panelcfg/x/StatPanelCfg_types.gen`, fieldConfig: false },
  bargauge: { path: `${S}/composable/bargauge/panelcfg/x/BarGaugePanelCfg_types.gen`, fieldConfig: false },
  table: { path: `${S}/composable/table/panelcfg/x/TablePanelCfg_types.gen`, fieldConfig: true },
};

const work = join(here, '.check');
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
const header = [
  `import type { Dashboard } from '${S}/dashboard/x/Dashboard_types.gen';`,
  ...Object.entries(plugins).map(([id, p]) => `import type * as ${id} from '${p.path}';`),
  // Json<T>: T with string enums replaced by their string values (template literal types do that).
  'type Json<T> = T extends string ? `${T}` : T extends number | boolean | null | undefined ? T',
  '  : T extends Array<infer U> ? Array<Json<U>> : T extends object ? { [K in keyof T]: Json<T[K]> } : T;',
  'type PartialJson<T> = T extends string ? `${T}` : T extends number | boolean | null | undefined ? T',
  '  : T extends Array<infer U> ? Array<PartialJson<U>> : T extends object ? { [K in keyof T]?: PartialJson<T[K]> } : T;',
  '',
];
const sources = [];
for (const file of files) {
  const dash = JSON.parse(readFileSync(file, 'utf8'));
  const lines = [...header, `// ${basename(file)}`, `export const dashboard = (${JSON.stringify(dash)}) satisfies Json<Dashboard>;`];
  const panels = (dash.panels ?? []).flatMap(p => [p, ...(p.panels ?? [])]);
  for (const p of panels) {
    const plugin = plugins[p.type];
    if (p.type === 'row') continue;
    if (!plugin) { console.error(`${basename(file)}: panel ${p.id} has type ${p.type}, which this check does not know`); process.exit(1); }
    lines.push(`export const options_${p.id} = (${JSON.stringify(p.options ?? {})}) satisfies PartialJson<${p.type}.Options>;`);
    if (plugin.fieldConfig)
      lines.push(`export const custom_${p.id} = (${JSON.stringify(p.fieldConfig?.defaults?.custom ?? {})}) satisfies PartialJson<${p.type}.FieldConfig>;`);
  }
  const ts = join(work, basename(file, '.json') + '.ts');
  writeFileSync(ts, lines.join('\n') + '\n');
  sources.push(ts);
}
writeFileSync(join(work, 'tsconfig.json'), JSON.stringify({
  compilerOptions: { strict: true, noEmit: true, target: 'es2022', module: 'esnext', moduleResolution: 'bundler', skipLibCheck: true, types: [] },
  files: sources.map(s => basename(s)),
}));
try {
  execFileSync(process.execPath, [join(here, 'node_modules', 'typescript', 'lib', 'tsc.js'), '-p', work, '--pretty', 'false'], { stdio: 'inherit' });
} catch {
  console.error('dashboard schema check FAILED (generated sources are in grafana/tools/.check/)');
  process.exit(1);
}
console.log(`dashboard schema check passed: ${files.map(f => basename(f)).join(', ')}`);
