import { access, mkdir, readFile, writeFile } from 'node:fs/promises';
import { SETTINGS_TYPES_FILE, settingsTypes } from './settings-types.ts';
import { dirname, join, relative } from 'node:path';
import { validateRegistry } from '@mch/schemas';
import { REPO_ROOT } from './paths.ts';
import {
  indexTemplate,
  manifestTemplate,
  packageTemplate,
  sandboxTemplate,
  testTemplate,
  tsconfigTemplate,
  type ScaffoldNames,
} from './scaffold-templates.ts';

const ID_PATTERN = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;

export type ScaffoldResult =
  | {
      ok: true;
      dir: string;
      files: string[];
      /** Whether root's tsconfig.json now references the plugin, so `tsc -b` checks it. */
      referenced: boolean;
    }
  | { ok: false; message: string };

function names(options: { id: string; dir: string }): ScaffoldNames {
  const toPosix = (path: string) => path.split('\\').join('/');
  return {
    id: options.id,
    title: options.id
      .split('-')
      .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
      .join(' '),
    env: options.id.toUpperCase().replaceAll('-', '_'),
    schemaRef: toPosix(
      relative(options.dir, join(REPO_ROOT, 'schemas', 'generated', 'plugin-manifest.schema.json')),
    ),
    tsconfigBase: toPosix(relative(options.dir, join(REPO_ROOT, 'tsconfig.base.json'))),
  };
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/**
 * Formats a generated file with the repository's Prettier settings, so a scaffold passes
 * `npm run lint` as written. Prettier is a development tool: without it the file stays as is.
 */
async function formatted(path: string, contents: string): Promise<string> {
  try {
    const prettier = await import('prettier');
    const config = await prettier.resolveConfig(path);
    return await prettier.format(contents, { ...config, filepath: path });
  } catch {
    return contents;
  }
}

/** Adds `plugins/<id>` to the registry (creating it if needed), keeping its other content. */
async function register(options: { registryPath: string; entry: string }): Promise<void> {
  let registry: { $schema?: string; plugins: string[] };
  if (await exists(options.registryPath)) {
    const parsed = validateRegistry(JSON.parse(await readFile(options.registryPath, 'utf8')) as unknown);
    if (!parsed.ok)
      throw new Error(
        `${options.registryPath} is invalid; fix it first (${parsed.issues[0]?.message ?? ''})`,
      );
    registry = parsed.registry;
  } else {
    const schema = relative(
      dirname(options.registryPath),
      join(REPO_ROOT, 'schemas', 'generated', 'registry.schema.json'),
    );
    registry = { $schema: schema.split('\\').join('/'), plugins: [] };
  }
  if (!registry.plugins.includes(options.entry)) registry.plugins.push(options.entry);
  await writeFile(options.registryPath, JSON.stringify(registry, null, 2) + '\n');
}

/**
 * Adds the plugin to the root build's project references (as the other plugins are), so
 * `npx tsc -b` type-checks it. A root without a tsconfig.json, or one that is not plain JSON, is
 * left alone.
 */
async function reference(options: { tsconfigPath: string; path: string }): Promise<boolean> {
  if (!(await exists(options.tsconfigPath))) return false;
  let config: { references?: { path: string }[] };
  try {
    config = JSON.parse(await readFile(options.tsconfigPath, 'utf8')) as typeof config;
  } catch {
    return false;
  }
  if (!Array.isArray(config.references)) return false;
  if (!config.references.some((entry) => entry.path === options.path))
    config.references.push({ path: options.path });
  // One reference per line, as the file is written by hand: `{ "path": "./plugins/x" }`.
  const text = JSON.stringify(config, null, 2).replace(/\{\s*"path":\s*("[^"]*")\s*\}/g, '{ "path": $1 }');
  await writeFile(options.tsconfigPath, await formatted(options.tsconfigPath, text + '\n'));
  return true;
}

/**
 * `plugin new ID`: writes plugins/ID (manifest, definePlugin entry, a sandbox that really serves
 * orders, a test) under `root`, lists it in root's plugin.manifest.json and tsconfig.json. Refuses
 * to overwrite.
 */
export async function scaffoldPlugin(options: { id: string; root?: string }): Promise<ScaffoldResult> {
  const root = options.root ?? REPO_ROOT;
  if (!ID_PATTERN.test(options.id)) {
    return { ok: false, message: `'${options.id}' is not a plugin id: use kebab-case such as 'my-shop'` };
  }
  const dir = join(root, 'plugins', options.id);
  if (await exists(dir)) return { ok: false, message: `${dir} already exists; pick another id or remove it` };
  const scaffold = names({ id: options.id, dir });
  const files: Record<string, string> = {
    'plugin.manifest.json': manifestTemplate(scaffold),
    'package.json': packageTemplate(scaffold),
    'tsconfig.json': tsconfigTemplate(scaffold),
    'src/index.ts': indexTemplate(),
    'sandbox/index.ts': sandboxTemplate(),
    'test/plugin.test.ts': testTemplate(),
  };
  // The settings' types exactly as `plugin types` writes them (validate compares them byte for byte).
  files[SETTINGS_TYPES_FILE] = settingsTypes(
    (JSON.parse(files['plugin.manifest.json']!) as { settings: { properties?: Record<string, unknown> } })
      .settings,
  );
  for (const [name, contents] of Object.entries(files)) {
    await mkdir(dirname(join(dir, name)), { recursive: true });
    await writeFile(
      join(dir, name),
      name === SETTINGS_TYPES_FILE ? contents : await formatted(join(dir, name), contents),
    );
  }
  await register({ registryPath: join(root, 'plugin.manifest.json'), entry: `plugins/${options.id}` });
  const referenced = await reference({
    tsconfigPath: join(root, 'tsconfig.json'),
    path: `./plugins/${options.id}`,
  });
  return { ok: true, dir, files: Object.keys(files), referenced };
}
