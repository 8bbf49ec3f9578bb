import { describe, expect, it } from 'vitest';
import { makeAccounts } from './accounts.ts';
import { isValidNip, nipFrom } from './catalog.ts';
import { checkoutFormId, parseCheckoutFormId, UUID_PATTERN } from './ids.ts';
import { makeOffer, offerId, parseOfferId } from './offers.ts';
import { orderHeader } from './order-header.ts';

describe('Allegro sandbox data', () => {
  it('round-trips checkout form ids and refuses other accounts’ or forged ones', () => {
    for (const index of [0, 1, 99_999, 2 ** 30 + 5]) {
      const id = checkoutFormId('s', 1, index);
      expect(id).toMatch(UUID_PATTERN);
      expect(parseCheckoutFormId('s', 1, id)).toBe(index);
      expect(parseCheckoutFormId('s', 2, id)).toBeNull();
      expect(parseCheckoutFormId('t', 1, id)).toBeNull();
    }
    const id = checkoutFormId('s', 0, 42);
    const forged = `${id.slice(0, 9)}${id[9] === 'a' ? 'b' : 'a'}${id.slice(10)}`;
    expect(parseCheckoutFormId('s', 0, forged)).toBeNull();
  });

  it('computes NIP check digits (known valid NIP 5260250274)', () => {
    expect(nipFrom([5, 2, 6, 0, 2, 5, 0, 2, 7])).toBe('5260250274');
    expect(isValidNip('5260250274')).toBe(true);
    expect(isValidNip('5260250275')).toBe(false);
    expect(makeAccounts('x', 4).every((a) => isValidNip(a.company.taxId))).toBe(true);
  });

  it('round-trips offer ids and prices offers in whole grosze', () => {
    const id = offerId(2, 17);
    expect(parseOfferId(id)).toEqual({ accountIndex: 2, k: 17 });
    expect(parseOfferId('123')).toBeNull();
    const offer = makeOffer('s', 2, 17);
    expect(offer.id).toBe(id);
    expect(Number.isInteger(offer.priceUnits)).toBe(true);
    expect(offer.priceUnits).toBeGreaterThan(0);
  });

  it('gives every order a lifecycle consistent with its status', () => {
    for (let i = 0; i < 500; i++) {
      const h = orderHeader('s', 0, i);
      const types = h.events.filter((e) => e !== null).map((e) => e.type);
      expect(types[0]).toBe('BOUGHT');
      if (h.status === 'READY_FOR_PROCESSING') expect(types).toContain('READY_FOR_PROCESSING');
      if (h.status === 'CANCELLED') expect(types.some((t) => t === 'BUYER_CANCELLED' || t === 'AUTO_CANCELLED')).toBe(true);
      if (h.paid) expect(h.paymentType).not.toBe('CASH_ON_DELIVERY');
      const offsets = h.events.filter((e) => e !== null).map((e) => e.offsetMs);
      expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
    }
  });
});
