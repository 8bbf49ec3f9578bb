import { describe, expect, it } from 'vitest';
import { definePlugin, isPluginDefinition } from './define-plugin.ts';
import { AuthError, isPluginError, RateLimitedError, RetryableError } from './errors.ts';
import type { JobInput, JobOutput } from './hooks.ts';

describe('definePlugin', () => {
  it('returns a frozen, recognisable definition whose hooks are callable', async () => {
    const plugin = definePlugin({
      hooks: {
        syncOrders: async (ctx, input: JobInput): Promise<JobOutput> => {
          ctx.progress(1, 1);
          return { counts: { orders: input.attempt } };
        },
      },
    });
    expect(isPluginDefinition(plugin)).toBe(true);
    expect(Object.isFrozen(plugin)).toBe(true);
    expect(Object.isFrozen(plugin.hooks)).toBe(true);
    const progress: number[] = [];
    const ctx = { progress: (done: number) => progress.push(done) } as never;
    const input: JobInput = { jobId: 'j', runId: 'r', trigger: 'manual', attempt: 3 };
    await expect(plugin.hooks.syncOrders!(ctx, input as never)).resolves.toEqual({ counts: { orders: 3 } });
    expect(progress).toEqual([1]);
  });

  it('refuses hooks that are not functions', () => {
    expect(() => definePlugin({ hooks: { sync: 'nope' as never } })).toThrow(
      "hook 'sync' must be a function",
    );
  });

  it('does not mistake a plain object for a definition', () => {
    expect(isPluginDefinition({ hooks: {} })).toBe(false);
    expect(isPluginDefinition(undefined)).toBe(false);
  });
});

describe('plugin errors', () => {
  it('carry codes the host can branch on', () => {
    const limited = new RateLimitedError('slow down', { retryAfterMs: 1500 });
    expect(limited.code).toBe('PLUGIN_RATE_LIMITED');
    expect(limited.retryAfterMs).toBe(1500);
    expect(new AuthError('revoked').name).toBe('AuthError');
    expect(isPluginError(new RetryableError('timeout'))).toBe(true);
    expect(isPluginError(new Error('x'))).toBe(false);
  });
});
