import type { RateLimiter, RateLimitOptions } from '@mch/plugin-sdk/sandbox-kit';
/**
 * Allegro's per-client-id limit (reference/README.md "Limits"): `limit` requests per window; the
 * request over it starts a block of `blockMs`. Every request sent during the block lengthens it,
 * the more so the more of them come (Correction: allegro-api #3454 "takie działanie wydłuża czas
 * trwania blokady (jej czas uzależniony jest od intensywności requestów)", #3588, #6754): the
 * block then ends `blockMs × (1 + strikes / 10)` after the latest request, `strikes` counting
 * the requests refused in this block. A client that stops sending sees it end on time.
 */
export declare function createAllegroRateLimiter(options: RateLimitOptions): RateLimiter;
