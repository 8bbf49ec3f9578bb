/**
 * Fixed word lists the generator draws from: Polish names, places and products, so demo data
 * looks like an Allegro seller's (reference/README.md "Allegro": buyers, companies with NIP,
 * PLN amounts).
 */
export const FIRST_NAMES = [
  'Anna', 'Piotr', 'Katarzyna', 'Krzysztof', 'Małgorzata', 'Tomasz', 'Agnieszka', 'Paweł',
  'Magdalena', 'Michał', 'Joanna', 'Marcin', 'Ewa', 'Jakub', 'Zofia', 'Łukasz', 'Barbara', 'Adam',
] as const;

export const LAST_NAMES = [
  'Nowak', 'Kowalski', 'Wiśniewski', 'Wójcik', 'Kowalczyk', 'Kamiński', 'Lewandowski', 'Zieliński',
  'Szymański', 'Woźniak', 'Dąbrowski', 'Kozłowski', 'Jankowski', 'Mazur', 'Krawczyk', 'Piotrowski',
] as const;

export const CITIES = [
  { city: 'Warszawa', postCode: '00-950' },
  { city: 'Kraków', postCode: '30-001' },
  { city: 'Łódź', postCode: '90-001' },
  { city: 'Wrocław', postCode: '50-001' },
  { city: 'Poznań', postCode: '60-001' },
  { city: 'Gdańsk', postCode: '80-001' },
  { city: 'Szczecin', postCode: '70-001' },
  { city: 'Lublin', postCode: '20-001' },
  { city: 'Katowice', postCode: '40-001' },
  { city: 'Białystok', postCode: '15-001' },
] as const;

export const STREETS = [
  'Marszałkowska', 'Długa', 'Polna', 'Lipowa', 'Ogrodowa', 'Kościuszki', 'Mickiewicza',
  'Słowackiego', 'Piłsudskiego', 'Leśna', 'Kwiatowa', 'Szkolna',
] as const;

export const COMPANY_KINDS = ['sp. z o.o.', 'S.A.', 's.c.', 'sp.j.', 'P.H.U.'] as const;
export const COMPANY_WORDS = ['Tech', 'Bud', 'Trans', 'Med', 'Agro', 'Pol', 'Eko', 'Dom', 'Auto', 'Soft'] as const;

/** Product names with the VAT rate Polish law applies to them (23 standard, 8/5 reduced, 0). */
export const PRODUCTS: readonly { name: string; vat: '23.00' | '8.00' | '5.00' | '0.00'; min: number; max: number }[] = [
  { name: 'Słuchawki bezprzewodowe', vat: '23.00', min: 79, max: 599 },
  { name: 'Ładowarka USB-C 65W', vat: '23.00', min: 39, max: 199 },
  { name: 'Kubek termiczny 500 ml', vat: '23.00', min: 29, max: 119 },
  { name: 'Plecak miejski', vat: '23.00', min: 89, max: 349 },
  { name: 'Klawiatura mechaniczna', vat: '23.00', min: 149, max: 699 },
  { name: 'Lampka biurkowa LED', vat: '23.00', min: 45, max: 229 },
  { name: 'Kawa ziarnista 1 kg', vat: '5.00', min: 49, max: 149 },
  { name: 'Herbata liściasta 250 g', vat: '5.00', min: 19, max: 79 },
  { name: 'Miód wielokwiatowy 1 kg', vat: '5.00', min: 35, max: 89 },
  { name: 'Książka: Wiedźmin. Ostatnie życzenie', vat: '5.00', min: 29, max: 59 },
  { name: 'Suplement diety witamina D3', vat: '8.00', min: 15, max: 69 },
  { name: 'Usługa montażu', vat: '8.00', min: 99, max: 399 },
  { name: 'Karta podarunkowa', vat: '0.00', min: 50, max: 500 },
  { name: 'Szczoteczka soniczna', vat: '23.00', min: 99, max: 499 },
  { name: 'Zestaw garnków 8 el.', vat: '23.00', min: 199, max: 899 },
  { name: 'Mapa turystyczna Tatry', vat: '5.00', min: 15, max: 39 },
];

export const DELIVERY_METHODS = [
  { id: '2488f7b7-5d1c-4d65-b85c-4cbcf253fd93', name: 'Allegro Paczkomaty InPost', min: 8.99, max: 13.99, pickup: true },
  { id: '845efe05-a31c-4b2e-8ab8-57e1d4b0b6b2', name: 'Allegro Kurier DPD', min: 11.99, max: 16.99, pickup: false },
  { id: 'b20ef9e1-faa2-4f25-9032-adbea23e5cb9', name: 'Allegro One Box, One Kurier', min: 6.99, max: 9.99, pickup: true },
  { id: '9081532b-5ad3-467d-80bc-9252982e9dd8', name: 'Kurier pobranie', min: 16.99, max: 24.99, pickup: false },
  { id: '1fa56f79-4b6a-4821-a6f2-ca9c16d5c925', name: 'Odbiór osobisty', min: 0, max: 0, pickup: false },
] as const;

/** A valid Polish NIP: 9 digits plus the mod-11 check digit (weights 6,5,7,2,3,4,5,6,7). */
export function nipFrom(digits: readonly number[]): string | null {
  const weights = [6, 5, 7, 2, 3, 4, 5, 6, 7];
  const sum = weights.reduce((acc, w, i) => acc + w * (digits[i] ?? 0), 0);
  const check = sum % 11;
  if (check === 10) return null;
  return [...digits.slice(0, 9), check].join('');
}

export function isValidNip(nip: string): boolean {
  if (!/^\d{10}$/.test(nip)) return false;
  const digits = [...nip].map(Number);
  return nipFrom(digits.slice(0, 9)) === nip;
}
