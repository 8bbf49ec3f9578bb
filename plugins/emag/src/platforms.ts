import type { PluginContext } from '@mch/plugin-sdk';
import type { EmagSettings } from './types.ts';

/**
 * The platforms an integration may sell on (API doc 1.1 "Conventions"; ../shared/reference/README.md
 * "eMAG": Platforms): their API hosts, currencies and standard VAT rates, which change by date.
 */
export type PlatformId = EmagSettings['platform'];

interface PlatformInfo {
  country: 'RO' | 'BG' | 'HU';
  /** MARKETPLACE_API_URL. Fashion Days has hosts of its own (doc 4.4.7 / 4.4.8). */
  apiUrl: string;
}

export const PLATFORMS: Readonly<Record<PlatformId, PlatformInfo>> = {
  ro: { country: 'RO', apiUrl: 'https://marketplace-api.emag.ro/api-3' },
  bg: { country: 'BG', apiUrl: 'https://marketplace-api.emag.bg/api-3' },
  hu: { country: 'HU', apiUrl: 'https://marketplace-api.emag.hu/api-3' },
  fdro: { country: 'RO', apiUrl: 'https://marketplace-ro-api.fashiondays.com/api-3' },
  fdbg: { country: 'BG', apiUrl: 'https://marketplace-bg-api.fashiondays.com/api-3' },
};

/** The manifest's default for `EMAG_BASE_URL`: "each platform's own production host". */
export const EMAG_DEFAULT_BASE_URL = 'https://marketplace-api.emag.{settings.platform}/api-3';

function platformOf(settings: unknown): PlatformInfo {
  const id = (settings as Partial<EmagSettings>).platform ?? 'ro';
  return PLATFORMS[id] ?? PLATFORMS.ro;
}

/**
 * Where this integration's calls go. `EMAG_BASE_URL` left at its default means each platform's
 * production host, and Fashion Days' hosts (`marketplace-ro-api.fashiondays.com`,
 * `marketplace-bg-api.fashiondays.com`) do not follow eMAG's `marketplace-api.emag.<country>`
 * scheme, so the plugin names them itself; a value set by the deployment (a sandbox's `url`, a
 * proxy) is the host's to render, `{settings.platform}` filled in: undefined then.
 */
export function platformApiUrl(ctx: Pick<PluginContext, 'config' | 'settings'>): string | undefined {
  const configured = ctx.config.EMAG_BASE_URL;
  if (configured && configured !== EMAG_DEFAULT_BASE_URL) return undefined;
  return platformOf(ctx.settings).apiUrl;
}

/** eMAG dates are Bucharest wall-clock text; Sofia keeps the same time, so text compares. */
const today = (): string => new Date().toISOString().slice(0, 19).replace('T', ' ');

/**
 * The platform's currency on a date (reference README "Correction": no order-level currency;
 * Bulgaria adopted the euro on 2026-01-01, BGN before).
 */
export function platformCurrency(settings: unknown, date: string | undefined): string {
  switch (platformOf(settings).country) {
    case 'RO':
      return 'RON';
    case 'HU':
      return 'HUF';
    case 'BG':
      return (date || today()) >= '2026-01-01' ? 'EUR' : 'BGN';
  }
}

/**
 * The standard VAT rate in percent on a date (reference README "Correction": Romania 21 % since
 * 2025-08-01, 19 % before; Hungary 27 %; Bulgaria 20 %), for lines eMAG sends without a rate
 * when the seller set no default of their own.
 */
export function standardVatRate(settings: unknown, date: string | undefined): number {
  switch (platformOf(settings).country) {
    case 'RO':
      return (date || today()) >= '2025-08-01' ? 21 : 19;
    case 'HU':
      return 27;
    case 'BG':
      return 20;
  }
}
