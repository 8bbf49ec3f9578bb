import { rngFor, type Rng } from '@mch/plugin-sdk/sandbox-kit';
import { nipFrom } from './catalog.ts';

/** A seller who can log in on the authorize page; `/me` returns these fields. */
export interface SellerAccount {
  /** Allegro user ids are numeric strings. */
  id: string;
  login: string;
  firstName: string;
  lastName: string;
  email: string;
  company: { name: string; taxId: string };
}

const SHOPS = ['Alfa', 'Beta', 'Gamma', 'Delta', 'Omega', 'Sigma', 'Kappa', 'Lambda'] as const;
const OWNERS = [
  ['Jan', 'Kowalski'],
  ['Maria', 'Nowak'],
  ['Adam', 'Wiśniewski'],
  ['Ewa', 'Zielińska'],
] as const;

/** A valid NIP from a random stream (retries the rare digit sets whose check digit would be 10). */
export function randomNip(rng: Rng): string {
  for (;;) {
    const nip = nipFrom(Array.from({ length: 9 }, (_, i) => (i === 0 ? rng.int(1, 9) : rng.int(0, 9))));
    if (nip) return nip;
  }
}

/** The sandbox's sellers, deterministic from the seed. */
export function makeAccounts(seed: string | number, count: number): SellerAccount[] {
  return Array.from({ length: count }, (_, i) => {
    const rng = rngFor(seed, 'account', i);
    const shop = SHOPS[i % SHOPS.length] ?? 'Alfa';
    const [firstName, lastName] = OWNERS[i % OWNERS.length] ?? OWNERS[0];
    const login = `sklep-${shop.toLowerCase()}${i >= SHOPS.length ? String(i) : ''}`;
    return {
      id: String(40_000_000 + rng.int(0, 9_999_999)),
      login,
      firstName,
      lastName,
      email: `${login}@example.pl`,
      company: { name: `Sklep ${shop} sp. z o.o.`, taxId: randomNip(rng) },
    };
  });
}
