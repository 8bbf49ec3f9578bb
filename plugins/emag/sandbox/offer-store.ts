import type { Account } from './accounts.ts';
import { baseOfferState, catalogOf, CATALOG_SIZE, type CatalogItem, type OfferState } from './catalog.ts';

/**
 * The seller's offers as saves left them: the seeded catalogue (`catalog.ts`) plus what
 * `offer/save`, `product_offer/save` and `offer_stock` changed, per account. Counts every save
 * of an offer so tests can tell how many pushes reached the marketplace.
 */
export interface OfferStore {
  /** Offers per account (60 by default; more for volume tests, `extra.offers`). */
  readonly size: number;
  items(account: Account): CatalogItem[];
  find(account: Account, id: number): CatalogItem | undefined;
  state(account: Account, item: CatalogItem): OfferState;
  save(account: Account, id: number, state: OfferState, options?: { countAsSave?: boolean }): void;
  /**
   * Offers changed since the start (or the last reset), with their save counts and when the last
   * save reached the sandbox (wall-clock ms, not the sandbox's business clock): how a benchmark
   * times a push to its arrival rather than to when it polled.
   */
  changed(account: Account): { id: number; state: OfferState; saves: number; savedAt: number }[];
  reset(): void;
}

export function createOfferStore(options: { seed: string; anchor: number; size?: number }): OfferStore {
  const size = options.size ?? CATALOG_SIZE;
  const overlays = new Map<string, Map<number, { state: OfferState; saves: number; savedAt: number }>>();
  const indexes = new Map<string, Map<number, CatalogItem>>();
  const overlayOf = (account: Account) => {
    let overlay = overlays.get(account.key);
    if (!overlay)
      overlays.set(
        account.key,
        (overlay = new Map<number, { state: OfferState; saves: number; savedAt: number }>()),
      );
    return overlay;
  };
  const items = (account: Account) => catalogOf(options.seed, account, size);
  return {
    size,
    items,
    find(account, id) {
      let index = indexes.get(account.key);
      if (!index) indexes.set(account.key, (index = new Map(items(account).map((i) => [i.id, i]))));
      return index.get(id);
    },
    state(account, item) {
      return overlayOf(account).get(item.id)?.state ?? baseOfferState(item, account, options.anchor);
    },
    save(account, id, state, saveOptions) {
      const overlay = overlayOf(account);
      const counted = saveOptions?.countAsSave === false ? 0 : 1;
      const before = overlay.get(id);
      overlay.set(id, {
        state,
        saves: (before?.saves ?? 0) + counted,
        savedAt: counted ? Date.now() : (before?.savedAt ?? 0),
      });
    },
    changed(account) {
      return [...overlayOf(account)].map(([id, v]) => ({ id, ...v }));
    },
    reset() {
      overlays.clear();
    },
  };
}
