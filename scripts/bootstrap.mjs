#!/usr/bin/env node
// Entry of every npm script. Plain JavaScript on purpose: it must run on whatever Node the
// machine has (20 here), install what the project needs — Node 24 from the npm package
// `node@24`, the npm packages, Chromium for browser tests — then hand over to the real
// command running on Node 24, where TypeScript runs natively (type stripping).
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, statSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const NODE_SPEC = 'node@24';
const localNodeDir = join(root, '.tools', 'node24');
const localNode = join(localNodeDir, 'node_modules', 'node', 'bin', 'node');

function say(message) {
  process.stderr.write(`[bootstrap] ${message}\n`);
}

function run(cmd, args, options = {}) {
  const result = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...options });
  if (result.error) throw result.error;
  return result.status ?? (result.signal ? 128 : 1);
}

function mustRun(cmd, args, options) {
  const status = run(cmd, args, options);
  if (status !== 0) {
    say(`'${cmd} ${args.join(' ')}' failed with exit code ${status}`);
    process.exit(status);
  }
}

/**
 * Long-running commands (the host, a sandbox) run as a child that receives our signals: npm or a
 * supervisor stopping this process with SIGTERM must stop the host gracefully, not orphan it.
 */
function runForwardingSignals(cmd, args, env = process.env) {
  return new Promise((resolveExit) => {
    const child = spawn(cmd, args, { stdio: 'inherit', cwd: root, env });
    const forward = (signal) => child.kill(signal);
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, forward);
    child.on('exit', (code, signal) => resolveExit(code ?? (signal ? 128 : 1)));
  });
}

function nodeMajor(version) {
  return Number(version.replace(/^v/, '').split('.')[0]);
}

/** Under an older Node, re-runs this script on Node 24 and resolves with its exit code. */
function ensureNode24() {
  if (nodeMajor(process.version) >= 24) return undefined;
  if (!existsSync(localNode)) {
    say(
      `Node ${process.version} is older than the project's Node 24 LTS: installing ${NODE_SPEC} into .tools/`,
    );
    mkdirSync(localNodeDir, { recursive: true });
    mustRun('npm', ['install', '--no-save', '--no-package-lock', '--prefix', localNodeDir, NODE_SPEC]);
  }
  const env = { ...process.env, PATH: `${dirname(localNode)}:${process.env.PATH ?? ''}` };
  return runForwardingSignals(localNode, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], env);
}

/** Installs the npm packages when node_modules is missing or older than the lock file. */
function ensurePackages() {
  const marker = join(root, 'node_modules', '.package-lock.json');
  const lock = join(root, 'package-lock.json');
  const stale =
    !existsSync(marker) || (existsSync(lock) && statSync(lock).mtimeMs > statSync(marker).mtimeMs + 1000);
  if (!stale) return;
  say('installing npm packages');
  mustRun('npm', [existsSync(lock) ? 'ci' : 'install', '--no-audit', '--no-fund']);
}

/** Browser tests drive Debian's Chromium; Playwright's own download cannot work here. */
function ensureChromium() {
  if (existsSync('/usr/bin/chromium') || process.env.SKIP_BROWSER_TESTS === '1') return;
  if (process.getuid?.() !== 0) {
    say(
      'Chromium is missing: install it with `apt-get install chromium` (browser tests need /usr/bin/chromium)',
    );
    return;
  }
  say('installing Chromium from Debian for the browser tests');
  run('apt-get', ['update', '-qq']);
  mustRun('apt-get', ['install', '-y', '-qq', 'chromium'], {
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}

/**
 * Debian packages the tests use, each with how to tell it is there:
 * - the invoice PDF tests read the text layer with poppler's `pdftotext` and embed DejaVu Sans
 *   (Polish, Romanian, Hungarian and Cyrillic letters);
 * - KSeF and RO e-Factura validate XML against the official XSDs with `xmllint`, and RO e-Factura
 *   runs the official CIUS-RO Schematron (compiled XSLT 2.0) with Saxon-HE on a Java runtime;
 * - the KSeF sandbox makes its certificates with `openssl`.
 */
const DEBIAN_TOOLS = [
  { what: 'pdftotext', present: () => hasCommand('pdftotext'), packages: ['poppler-utils'] },
  {
    what: 'DejaVu Sans',
    present: () => existsSync('/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf'),
    packages: ['fonts-dejavu-core'],
  },
  { what: 'xmllint', present: () => hasCommand('xmllint'), packages: ['libxml2-utils'] },
  { what: 'java', present: () => hasCommand('java'), packages: ['default-jre-headless'] },
  {
    what: 'Saxon-HE',
    present: () =>
      Boolean(process.env.SAXON_JAR) ||
      ['/usr/share/java/Saxon-HE.jar', '/usr/share/java/saxon9he.jar'].some((jar) => existsSync(jar)),
    packages: ['libsaxonhe-java'],
  },
  { what: 'openssl', present: () => hasCommand('openssl'), packages: ['openssl'] },
];

function hasCommand(name) {
  return run('sh', ['-c', `command -v ${name} >/dev/null`], { stdio: 'ignore' }) === 0;
}

function ensureDebianTools() {
  const missing = DEBIAN_TOOLS.filter((tool) => !tool.present());
  if (missing.length === 0) return;
  const names = missing.map((tool) => tool.what).join(', ');
  const packages = [...new Set(missing.flatMap((tool) => tool.packages))];
  if (process.getuid?.() !== 0) {
    say(`${names} missing: install them with \`apt-get install ${packages.join(' ')}\``);
    return;
  }
  say(`installing ${packages.join(', ')} from Debian for the tests (${names})`);
  run('apt-get', ['update', '-qq']);
  mustRun('apt-get', ['install', '-y', '-qq', ...packages], {
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}

/** What the console's build is made from: its sources, its configuration and the locked packages. */
function consoleSourceHash() {
  const hash = createHash('sha256');
  const add = (file) =>
    hash
      .update(`${file}\0`)
      .update(readFileSync(join(root, file)))
      .update('\0');
  const walk = (dir) => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true }).sort((a, b) =>
      a.name < b.name ? -1 : 1,
    )) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) add(path);
    }
  };
  for (const dir of ['console/src', 'console/static']) if (existsSync(join(root, dir))) walk(dir);
  for (const file of [
    'console/package.json',
    'console/svelte.config.js',
    'console/vite.config.ts',
    'console/tsconfig.json',
    'package-lock.json',
  ])
    if (existsSync(join(root, file))) add(file);
  return hash.digest('hex');
}

/**
 * Builds the console once per change of its sources (issue 16: never at every start): the build
 * records the hash of what it was made from, and a build made from the same sources is kept.
 */
function buildConsole() {
  if (!existsSync(join(root, 'console', 'svelte.config.js'))) return;
  // Kept outside the build folder, which the host serves.
  const stamp = join(root, 'node_modules', '.cache', 'mch', 'console-build.sha256');
  const sources = consoleSourceHash();
  const built =
    existsSync(join(root, 'console', 'build', 'index.html')) &&
    existsSync(stamp) &&
    readFileSync(stamp, 'utf8') === sources;
  if (built) return;
  mustRun('npm', ['run', 'build', '--workspace', '@mch/console']);
  mkdirSync(dirname(stamp), { recursive: true });
  writeFileSync(stamp, sources);
}

const bin = (name) => join(root, 'node_modules', '.bin', name);

const nodeTs = (file, args) => runForwardingSignals(process.execPath, [join(root, file), ...args]);

function lint() {
  let status = run(bin('prettier'), ['--check', '--log-level', 'warn', '.']);
  if (status === 0) status = run(bin('eslint'), ['--max-warnings', '0', '.']);
  return status;
}

/** `tsc -b` for every package (the console's browser tests included), then svelte-check for the console app. */
function typecheck() {
  let status = run(bin('tsc'), ['-b', '--pretty']);
  if (status === 0 && existsSync(join(root, 'console', 'svelte.config.js'))) {
    const inConsole = { cwd: join(root, 'console') };
    status = run(bin('svelte-kit'), ['sync'], inConsole);
    if (status === 0) {
      status = run(
        bin('svelte-check'),
        ['--tsconfig', './tsconfig.json', '--fail-on-warnings', '--output', 'human'],
        inConsole,
      );
    }
  }
  return status;
}

const reexec = ensureNode24();
if (reexec) process.exit(await reexec);
ensurePackages();

const [command = 'help', ...args] = process.argv.slice(2);
let status = 0;
switch (command) {
  case 'host':
    if (args[0] === 'start' && !process.env.SKIP_CONSOLE_BUILD) buildConsole();
    status = await nodeTs('host/src/cli/main.ts', args);
    break;
  case 'sandbox':
    status = await nodeTs('host/src/cli/main.ts', ['sandbox', ...args]);
    break;
  case 'lint':
    status = lint();
    break;
  case 'typecheck':
    status = typecheck();
    break;
  case 'test':
    ensureChromium();
    ensureDebianTools();
    buildConsole();
    status = typecheck();
    if (status === 0) status = lint();
    if (status === 0) status = run(bin('vitest'), ['run', ...args]);
    break;
  case 'bench':
    status = await nodeTs('bench/run.ts', args);
    break;
  default:
    say('usage: bootstrap.mjs host|sandbox|test|bench|lint|typecheck [args]');
    status = 2;
}
process.exit(status);
