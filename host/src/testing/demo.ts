import { startDemoMode, type DemoMode } from '../app/demo-mode.ts';
import type { TestHost } from './test-host.ts';

export type { DemoMode };

/**
 * Demo mode on a test host, as `npm start` runs it on a fresh machine: every plugin's sandbox
 * started, the plugins pointed at them through `configOverrides` (the map the host was started
 * with), a demo tenant and its connected accounts syncing.
 */
export function startTestDemo(
  host: TestHost,
  configOverrides: Map<string, Record<string, string>>,
): Promise<DemoMode> {
  return startDemoMode({ services: host.app.services, configOverrides, publicUrl: host.url });
}
