/**
 * KSeF's request limits (limity/limity-api.md): per context + IP and endpoint group, req/s, req/min
 * and req/h in sliding windows, all at once; 429 with `Retry-After`. TE (test) has 10× the
 * production values ("Środowisko TE"); `/auth/challenge` is 60/s per IP.
 */
export type LimitProfile = 'production' | 'test' | 'off';

const PRODUCTION: Record<string, [number, number, number]> = {
  'session-open': [10, 30, 120],
  'invoice-send': [10, 30, 180],
  'session-close': [10, 30, 120],
  // "Otwarcie / Zamknięcie sesji wsadowej" (60/h since api-changelog "Limity API", was 120).
  'batch-open': [10, 20, 60],
  'batch-close': [10, 20, 60],
  // "Pobranie faktur sesji" (GET /sessions/{referenceNumber}/invoices).
  'session-invoices': [10, 20, 200],
  'invoice-status': [30, 120, 1200],
  'sessions-other': [10, 120, 1200],
  other: [10, 30, 120],
};
const WINDOWS: [number, string][] = [
  [1_000, 'sekundę'],
  [60_000, 'minutę'],
  [3_600_000, 'godzinę'],
];

export interface LimitDecision {
  allowed: boolean;
  limit: number;
  window: string;
  retryAfterSeconds: number;
}

export function createLimits(profile: LimitProfile) {
  const hits = new Map<string, number[]>();
  return {
    hit(endpoint: string, key: string): LimitDecision {
      if (profile === 'off') return { allowed: true, limit: 0, window: '', retryAfterSeconds: 0 };
      const base =
        endpoint === 'challenge'
          ? ([60, 3600, 216000] as const)
          : (PRODUCTION[endpoint] ?? PRODUCTION.other!);
      const factor = profile === 'test' && endpoint !== 'challenge' ? 10 : 1;
      const now = Date.now();
      const id = `${endpoint}|${key}`;
      const list = (hits.get(id) ?? []).filter((t) => t > now - 3_600_000);
      for (let i = 0; i < 3; i++) {
        const [ms, name] = WINDOWS[i]!;
        const limit = base[i]! * factor;
        const inWindow = list.filter((t) => t > now - ms);
        if (inWindow.length >= limit) {
          hits.set(id, list);
          const oldest = inWindow[inWindow.length - limit]!;
          return {
            allowed: false,
            limit,
            window: name,
            retryAfterSeconds: Math.max(1, Math.ceil((oldest + ms - now) / 1000)),
          };
        }
      }
      list.push(now);
      hits.set(id, list);
      return { allowed: true, limit: 0, window: '', retryAfterSeconds: 0 };
    },
    reset() {
      hits.clear();
    },
  };
}
