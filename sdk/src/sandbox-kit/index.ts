/**
 * Shared building blocks of the marketplace sandboxes (docs/ARCHITECTURE.md "Sandboxes").
 *
 * Typical wiring in a plugin's `sandbox/index.ts`:
 *   const ledger = createLedger();
 *   const faults = createFaultState({ schema: baseFaultsSchema.extend({...}), initial: options.faults, seed });
 *   registerRequestCounter(app, { ledger });
 *   registerFaultHook(app, { faults, errorBody: (status) => ({...marketplace error shape...}) });
 *   registerControlRoutes(app, { ledger, faults, state: () => ({...}), onReset });
 *   const limiter = createRateLimiter({ limit, windowMs, blockMs });  // in the auth hook: limiter.hit(key)
 *   const rng = rngFor(seed, 'order', i);  // one stream per lazily generated record
 */
export type { SandboxOptions, RunningSandbox, StartSandbox } from './types.ts';
export { createRng, rngFor, formatUnits, type Rng } from './prng.ts';
export {
  baseFaultsSchema,
  createFaultState,
  type BaseFaults,
  type FaultState,
  type FaultUpdate,
} from './faults.ts';
export { registerFaultHook, type FaultHookOptions } from './fault-hook.ts';
export {
  createLedger,
  registerRequestCounter,
  type Effect,
  type EffectInput,
  type Ledger,
  type LedgerSnapshot,
} from './ledger.ts';
export {
  createRateLimiter,
  type RateDecision,
  type RateLimiter,
  type RateLimitOptions,
} from './rate-limit.ts';
export { registerControlRoutes, CONTROL_PREFIX, type ControlRoutesOptions } from './control.ts';
export { SandboxErrorCode, sandboxError } from './errors.ts';
export { listen } from './listen.ts';
export { loadSandboxState, keepSandboxState, type KeptState } from './persist.ts';
