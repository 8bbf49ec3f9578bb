import { parseArgs } from 'node:util';
import Fastify, { type FastifyInstance } from 'fastify';
import {
  demoViewOf,
  shouldRunDemo,
  startDemoMode,
  startDemoSandboxes,
  type DemoMode,
  type DemoSandboxes,
  type DemoView,
} from '../../app/demo-mode.ts';
import { createHostApp, type HostRole } from '../../app/host-app.ts';
import { HOST_VERSION } from '../../app/version.ts';
import { syncPluginSchedules } from '../../integrations/schedule.ts';
import { watchPlugins } from '../../plugins/hot-reload.ts';
import { readEnv } from '../../config/env.ts';
import { acquireDataDirLock, type DataDirLock } from '../../db/data-dir-lock.ts';
import { createLogger } from '../../logging/logger.ts';
import { registerHealthRoutes } from '../../server/health.routes.ts';
import type { CliCommand } from '../support/command.ts';
import { UsageError } from '../support/errors.ts';
import { info } from '../support/output.ts';

const USAGE = `usage: start [--role all|api|worker] [--registry PATH] [--demo auto|on|off] [--watch-plugins]
  all     HTTP API + console and the job worker (default)
  api     HTTP API + console only; jobs are queued for workers
  worker  runs jobs only; no HTTP server
  --demo  auto (default): on the embedded database with no marketplace configured, run every
          plugin's sandbox and a demo tenant whose accounts sync at once
  --watch-plugins  development: an edited plugin (manifest or code) is reloaded without a restart
Environment: PORT, HOST, DATA_DIR, DATABASE_URL, MONGODB_URL, HOST_MASTER_KEY, LOG_LEVEL, PUBLIC_URL;
  HEALTH_PORT (worker only): answer /healthz and /readyz on this port, for container health checks.`;

const ROLES: readonly HostRole[] = ['all', 'api', 'worker'];

/** `HEALTH_PORT` for a worker (which serves no API): a port number, or undefined when unset. */
function healthPort(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`HEALTH_PORT must be a port number (0-65535), not "${value}".`);
  return port;
}
const DEMO_CHOICES = ['auto', 'on', 'off'] as const;

/** The sandboxes' test sign-ins (the first of each plugin; the console's connect form lists them all). */
function sandboxSignIns(view: DemoView | undefined): string[] {
  const lines: string[] = [];
  for (const plugin of view?.plugins ?? []) {
    const first = plugin.signIns[0];
    if (first) lines.push(`  ${plugin.name}: ${first.fields.map((f) => `${f.title} ${f.value}`).join(', ')}`);
    else if (plugin.consentPage)
      lines.push(`  ${plugin.name}: its sandbox's consent page asks for no password; pick a seller there`);
  }
  return lines.length > 0 ? ['Sandbox sign-ins for connecting accounts:', ...lines] : [];
}

function demoBanner(demo: DemoMode, url: string, view: DemoView | undefined): string {
  const lines = [
    'Demo mode: no marketplace is configured, so every plugin runs against its local sandbox.',
    ...demo.sandboxes.map((s) => `  sandbox ${s.pluginId}: ${s.url}`),
    `Sign in at ${url}/ with:`,
    ...demo.logins.map((l) => `  ${l.email}  ${l.password}  (${l.role})`),
    ...sandboxSignIns(view),
    'Configure a marketplace (its variables) or pass --demo off to start without the demo.',
  ];
  return lines.join('\n');
}
/** A second signal while stopping means "now": a stuck drain must not hold the terminal. */
const FORCE_EXIT_CODE = 130;

export const command: CliCommand = {
  name: 'start',
  summary: 'run the host (API, console and job worker) until SIGINT/SIGTERM',
  async run(args) {
    const { values } = parseArgs({
      args,
      options: {
        role: { type: 'string', default: 'all' },
        registry: { type: 'string' },
        demo: { type: 'string', default: 'auto' },
        'watch-plugins': { type: 'boolean' },
        help: { type: 'boolean' },
      },
    });
    if (values.help) {
      info(USAGE);
      return 0;
    }
    const role = values.role as HostRole;
    if (!ROLES.includes(role))
      throw new UsageError(`--role must be one of ${ROLES.join(', ')}, not "${values.role}".\n${USAGE}`);

    const demo = values.demo as (typeof DEMO_CHOICES)[number];
    if (!DEMO_CHOICES.includes(demo))
      throw new UsageError(
        `--demo must be one of ${DEMO_CHOICES.join(', ')}, not "${values.demo}".\n${USAGE}`,
      );

    const env = readEnv();
    const workerHealthPort = role === 'worker' ? healthPort(process.env.HEALTH_PORT) : undefined;
    const logger = createLogger({ level: env.logLevel });
    // The embedded database belongs to one process (SPEC "Running it"); a server arbitrates itself.
    let lock: DataDirLock | undefined;
    if (!env.databaseUrl) lock = acquireDataDirLock(env.dataDir, { role: 'host' });
    try {
      const configOverrides = new Map<string, Record<string, string>>();
      const app = await createHostApp({
        env,
        role,
        logger,
        configOverrides,
        ...(values.registry ? { registryPath: values.registry } : {}),
      });
      // Demo mode needs both halves (it syncs right away), so only a full host runs it.
      const wantDemo = demo === 'on' || (demo === 'auto' && role === 'all' && shouldRunDemo(app.services));
      // Its sandboxes start first when the host's address is known beforehand: no job of a
      // restarted demo runs while the plugins point nowhere.
      let sandboxes: DemoSandboxes | undefined;
      if (wantDemo && role !== 'worker' && (process.env.PUBLIC_URL || env.port !== 0)) {
        sandboxes = await startDemoSandboxes({
          services: app.services,
          configOverrides,
          publicUrl: env.publicUrl,
        });
      }
      const { url } = await app.start();
      const watcher = values['watch-plugins']
        ? watchPlugins({
            plugins: app.services.plugins,
            hostVersion: HOST_VERSION,
            logger,
            // A job's interval edited in the manifest takes effect for every account at once.
            onReload: (plugin) => syncPluginSchedules(app.services, plugin).then(() => undefined),
          })
        : undefined;
      if (watcher) info('Watching the plugin folders: an edited plugin is reloaded without a restart.');
      // A worker has no API; its health answers on a port of its own for container checks.
      let health: FastifyInstance | undefined;
      if (workerHealthPort !== undefined) {
        health = Fastify({ logger: false });
        registerHealthRoutes(health, app.services);
        const address = await health.listen({ host: env.host, port: workerHealthPort });
        info(`Worker health: ${address}/healthz and ${address}/readyz`);
      }
      info(
        url
          ? `Host (${role}) listening on ${url} — console at ${env.publicUrl}/`
          : `Host worker running (role ${role}).`,
      );

      let demoMode: DemoMode | undefined;
      if (wantDemo && url) {
        demoMode = await startDemoMode({
          services: app.services,
          configOverrides,
          publicUrl: process.env.PUBLIC_URL ? env.publicUrl : url,
          ...(sandboxes ? { sandboxes } : {}),
        });
        info(demoBanner(demoMode, url, demoViewOf(app.services)));
      } else await sandboxes?.stop();

      await new Promise<void>((resolve) => {
        let stopping = false;
        const onSignal = (signal: NodeJS.Signals) => {
          if (stopping) {
            logger.warn({ signal }, 'second signal: exiting without waiting for the drain');
            process.exit(FORCE_EXIT_CODE);
          }
          stopping = true;
          logger.info({ signal }, 'stopping: draining running jobs and requests');
          watcher?.close();
          app
            .stop()
            .then(() => health?.close())
            .then(() => demoMode?.stop())
            .then(resolve, (error: unknown) => {
              logger.error({ err: error }, 'error while stopping');
              resolve();
            });
        };
        process.on('SIGINT', onSignal);
        process.on('SIGTERM', onSignal);
      });
      logger.info('host stopped');
      return 0;
    } finally {
      lock?.release();
    }
  },
};
