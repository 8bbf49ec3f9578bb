/**
 * The contract every plugin sandbox follows, so the host's `npm run sandbox -- <id>`, demo mode,
 * tests and benchmarks can start any of them without knowing which marketplace it emulates.
 */
export interface SandboxOptions {
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number;
  /** Interface to bind; default 127.0.0.1 (sandboxes never listen beyond loopback by default). */
  host?: string;
  /** How many seeded orders exist at start (generated lazily). */
  orders?: number;
  /** Seed of the deterministic data generator. */
  seed?: string | number;
  /** OAuth sandboxes: the redirect URI registered for the sandbox's client. */
  redirectUri?: string;
  /** Initial fault switches (the same object the control endpoint accepts). */
  faults?: Record<string, unknown>;
  /** Turn the marketplace's rate limit off (benchmarks of raw throughput). Default on. */
  rateLimit?: boolean;
  /** Anything plugin-specific (e.g. eMAG's new-order callback URL). */
  extra?: Record<string, unknown>;
  /**
   * A folder where the sandbox keeps what it must remember across restarts (tokens it issued,
   * orders it served; `keepSandboxState`). Demo mode gives one inside the host's data folder;
   * without it the sandbox forgets everything when it stops.
   */
  stateDir?: string;
  /**
   * The demo tenant's companies (demo mode): a sandbox that issues something for a company — KSeF
   * an offline certificate for its NIP — issues it for these and hands it over in `settings`.
   */
  companies?: { country: string; taxId: string }[];
}

export interface RunningSandbox {
  /** Base URL of the emulated API (and, for OAuth marketplaces, of its auth pages). */
  url: string;
  /** Credentials a seller would have for this marketplace, printed on the ready line. */
  credentials: Record<string, string>;
  /**
   * Further sellers' sign-ins (optional), each named like `credentials`, for connecting more
   * accounts than the first; demo mode shows them on the console's connect form.
   */
  accounts?: Record<string, string>[];
  /**
   * Further settings demo mode gives the plugin's demo connection, named like the plugin's
   * settings, that are not sign-ins a person types (e.g. a certificate and its key): never shown
   * on the connect form or the start banner.
   */
  settings?: Record<string, string>;
  /** Base URL of the sandbox-only control endpoint (`${url}/__sandbox`). */
  controlUrl: string;
  /**
   * OAuth sandboxes (optional): completes the sandbox's own authorization page for
   * `authorizeUrl` as a person who consents, and returns the redirect back to the client (with
   * `code` and `state`). Demo mode uses it to connect accounts nobody can click through.
   */
  consent?(authorizeUrl: string): Promise<string>;
  close(): Promise<void>;
}

export type StartSandbox = (options?: SandboxOptions) => Promise<RunningSandbox>;
