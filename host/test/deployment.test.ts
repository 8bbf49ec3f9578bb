import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { eventually, startHostProcess } from '../src/testing/host-process.ts';
import { freePort } from './support/pg-cluster.ts';

const REPO = join(import.meta.dirname, '..', '..');

interface ComposeService {
  build?: unknown;
  image?: string;
  command?: string[];
  environment?: Record<string, unknown>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  deploy?: { replicas?: number };
  restart?: string;
  profiles?: string[];
}

/**
 * Issue 20 "Roles": the deployment files describe what users run. Docker is not available where
 * the tests run, so the files are checked by structure; the worker's health port is run for real.
 */
describe('deployment: Dockerfile and docker-compose.yml', () => {
  const dockerfile = readFileSync(join(REPO, 'Dockerfile'), 'utf8');
  const compose = parse(readFileSync(join(REPO, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
    services: Record<string, ComposeService>;
  };
  const services = compose.services;
  const instructions = dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .filter((line) => /^[A-Z]+\s/.test(line));

  it('builds in stages: console built in the image, runtime packages only, non-root, health-checked', () => {
    expect(instructions.filter((line) => line.startsWith('FROM ')).length).toBeGreaterThanOrEqual(2);
    expect(dockerfile).toMatch(/RUN npm run build --workspace @mch\/console/);
    expect(dockerfile).toMatch(/RUN npm ci --omit=dev/);
    expect(dockerfile).toMatch(/COPY --from=build [^\n]*console\/build console\/build/);
    const user = instructions.filter((line) => line.startsWith('USER ')).at(-1);
    expect(user).toBeDefined();
    expect(user).not.toMatch(/USER\s+(root|0)\b/);
    expect(instructions.find((line) => line.startsWith('HEALTHCHECK '))).toMatch(/\/healthz/);
    // Nothing is installed when a container starts.
    const start = instructions.filter((line) => /^(ENTRYPOINT|CMD) /.test(line)).join('\n');
    expect(start).toMatch(/host\/src\/cli\/main\.ts/);
    expect(start).not.toMatch(/npm/);
  });

  it('installs every plugin of the registry with the tools its documents are checked with', () => {
    const registry = JSON.parse(readFileSync(join(REPO, 'plugin.manifest.json'), 'utf8')) as {
      plugins: string[];
    };
    // `npm ci` of the workspace needs each workspace's package.json in both install stages.
    for (const folder of ['schemas', 'sdk', 'host', 'console', ...registry.plugins]) {
      expect(dockerfile, folder).toContain(`COPY ${folder}/package.json ${folder}/`);
      expect(dockerfile, folder).toContain(`COPY --from=build /app/${folder}/package.json ${folder}/`);
    }
    // KSeF's FA(3)/UPO and e-Factura's UBL are checked with xmllint, CIUS-RO with Saxon-HE on Java.
    const image = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    for (const pkg of ['libxml2-utils', 'default-jre-headless', 'libsaxonhe-java'])
      expect(image, pkg).toMatch(new RegExp(`apt-get install [^\\n]*(\\\\\\n[^\\n]*)*\\b${pkg}\\b`));
  });

  it('runs migrations once, one API service and replicated workers, none installing at start', () => {
    expect(services.migrate?.command).toEqual(['migrate']);
    expect(services.migrate?.restart).toBe('no');
    expect(services.api?.command).toEqual(['start', '--role', 'api']);
    expect(services.worker?.command).toEqual(['start', '--role', 'worker']);
    expect(services.worker?.deploy?.replicas).toBeGreaterThanOrEqual(2);
    for (const name of ['api', 'worker']) {
      const service = services[name]!;
      expect(service.depends_on?.migrate?.condition).toBe('service_completed_successfully');
      expect(service.depends_on?.postgres?.condition).toBe('service_healthy');
      expect(service.environment?.DATABASE_URL).toMatch(/^postgresql:\/\/.*@postgres:5432\//);
      expect(service.image).toBe(services.migrate?.image);
    }
    expect(services.api?.healthcheck?.test.join(' ')).toMatch(/127\.0\.0\.1:3000\/readyz/);
    expect(services.worker?.environment?.HEALTH_PORT).toBe(3001);
    expect(services.worker?.healthcheck?.test.join(' ')).toMatch(/127\.0\.0\.1:3001\/readyz/);
    expect(services.mongo?.profiles).toEqual(['mongo']);
    for (const [name, service] of Object.entries(services))
      expect(JSON.stringify(service.command ?? []), name).not.toMatch(/npm (ci|install)/);
  });

  it('a worker answers /healthz and /readyz on HEALTH_PORT and stops cleanly on SIGTERM', async () => {
    const healthPort = await freePort();
    // Embedded database in a fresh DATA_DIR: a worker alone, no DATABASE_URL needed.
    const worker = startHostProcess({
      args: ['--role', 'worker'],
      env: { HEALTH_PORT: String(healthPort), LOG_LEVEL: 'warn' },
    });
    try {
      const ready = await eventually(
        'the worker health port',
        async () => {
          const response = await fetch(`http://127.0.0.1:${healthPort}/readyz`);
          return response.status === 200 ? ((await response.json()) as { status: string }) : undefined;
        },
        // The embedded database's first start (create + migrate) is slow on a loaded machine.
        150_000,
        200,
      ).catch((error: Error) => {
        throw new Error(`${error.message}\n${worker.output()}`);
      });
      expect(ready.status).toBe('ready');
      expect((await fetch(`http://127.0.0.1:${healthPort}/healthz`)).status).toBe(200);
      expect(await worker.stop()).toBe(0);
    } finally {
      await worker.stop('SIGKILL');
    }
  }, 200_000);
});
