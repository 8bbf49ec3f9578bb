/**
 * Romanian addresses as CIUS-RO wants them (cius-ro-1.0.9-schematron/cius-ro/RO16931-rules.sch):
 * the county (BT-39/BT-54) from ISO 3166-2:RO (`$ISO-3166-RO-CODES`, BR-RO-110/111) and, in
 * Bucharest (`RO-B`), the city as its sector `SECTOR1`…`SECTOR6` (`$SECTOR-RO-CODES`, BR-RO-100/101).
 */

/** ISO 3166-2:RO code → county name (without diacritics), the list the Schematron checks. */
export const RO_COUNTY_NAMES: Readonly<Record<string, string>> = {
  'RO-AB': 'Alba',
  'RO-AG': 'Arges',
  'RO-AR': 'Arad',
  'RO-B': 'Bucuresti',
  'RO-BC': 'Bacau',
  'RO-BH': 'Bihor',
  'RO-BN': 'Bistrita-Nasaud',
  'RO-BR': 'Braila',
  'RO-BT': 'Botosani',
  'RO-BV': 'Brasov',
  'RO-BZ': 'Buzau',
  'RO-CJ': 'Cluj',
  'RO-CL': 'Calarasi',
  'RO-CS': 'Caras-Severin',
  'RO-CT': 'Constanta',
  'RO-CV': 'Covasna',
  'RO-DB': 'Dambovita',
  'RO-DJ': 'Dolj',
  'RO-GJ': 'Gorj',
  'RO-GL': 'Galati',
  'RO-GR': 'Giurgiu',
  'RO-HD': 'Hunedoara',
  'RO-HR': 'Harghita',
  'RO-IF': 'Ilfov',
  'RO-IL': 'Ialomita',
  'RO-IS': 'Iasi',
  'RO-MH': 'Mehedinti',
  'RO-MM': 'Maramures',
  'RO-MS': 'Mures',
  'RO-NT': 'Neamt',
  'RO-OT': 'Olt',
  'RO-PH': 'Prahova',
  'RO-SB': 'Sibiu',
  'RO-SJ': 'Salaj',
  'RO-SM': 'Satu Mare',
  'RO-SV': 'Suceava',
  'RO-TL': 'Tulcea',
  'RO-TM': 'Timis',
  'RO-TR': 'Teleorman',
  'RO-VL': 'Valcea',
  'RO-VN': 'Vrancea',
  'RO-VS': 'Vaslui',
};

/**
 * The first two digits of a Romanian postal code name its county (Poșta Română's 6-digit codes,
 * 2003): 01–06 are Bucharest's sectors 1–6.
 */
const POSTAL_PREFIX: Readonly<Record<string, string>> = {
  '07': 'RO-IF',
  '08': 'RO-GR',
  '10': 'RO-PH',
  '11': 'RO-AG',
  '12': 'RO-BZ',
  '13': 'RO-DB',
  '14': 'RO-TR',
  '20': 'RO-DJ',
  '21': 'RO-GJ',
  '22': 'RO-MH',
  '23': 'RO-OT',
  '24': 'RO-VL',
  '30': 'RO-TM',
  '31': 'RO-AR',
  '32': 'RO-CS',
  '33': 'RO-HD',
  '40': 'RO-CJ',
  '41': 'RO-BH',
  '42': 'RO-BN',
  '43': 'RO-MM',
  '44': 'RO-SM',
  '45': 'RO-SJ',
  '50': 'RO-BV',
  '51': 'RO-AB',
  '52': 'RO-CV',
  '53': 'RO-HR',
  '54': 'RO-MS',
  '55': 'RO-SB',
  '60': 'RO-BC',
  '61': 'RO-NT',
  '62': 'RO-VN',
  '70': 'RO-IS',
  '71': 'RO-BT',
  '72': 'RO-SV',
  '73': 'RO-VS',
  '80': 'RO-GL',
  '81': 'RO-BR',
  '82': 'RO-TL',
  '90': 'RO-CT',
  '91': 'RO-CL',
  '92': 'RO-IL',
};

const plain = (s: string) =>
  s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/^(judetul|jud\.?|municipiul|mun\.?)\s+/i, '')
    .replace(/[\s-]+/g, ' ')
    .trim()
    .toLowerCase();

const BY_NAME = new Map(Object.entries(RO_COUNTY_NAMES).map(([code, name]) => [plain(name), code]));
BY_NAME.set('bucharest', 'RO-B');

/** `SECTOR3` from "Sector 3", "sectorul 3", "SECTOR3"; null otherwise. */
export function sectorOf(city: string | undefined): string | null {
  const m = /^\s*(?:sector(?:ul)?)\s*([1-6])\s*$/i.exec(city ?? '');
  return m ? `SECTOR${m[1]}` : null;
}

/**
 * The ISO 3166-2:RO county of a Romanian address: its `county` when that is a code or a county's
 * name, else the county its postal code belongs to; null when neither tells (the document is then
 * held with BR-RO-110/111 rather than guessed).
 */
export function countyCode(address: {
  county?: string | undefined;
  postalCode?: string | undefined;
  city?: string | undefined;
}): string | null {
  const given = address.county?.trim();
  if (given) {
    const upper = given.toUpperCase();
    if (upper in RO_COUNTY_NAMES) return upper;
    if (`RO-${upper}` in RO_COUNTY_NAMES) return `RO-${upper}`;
    const byName = BY_NAME.get(plain(given));
    if (byName) return byName;
  }
  if (sectorOf(address.city)) return 'RO-B';
  const postal = address.postalCode?.replace(/\s/g, '');
  if (postal && /^\d{6}$/.test(postal)) {
    const prefix = postal.slice(0, 2);
    if (/^0[1-6]$/.test(prefix)) return 'RO-B';
    return POSTAL_PREFIX[prefix] ?? null;
  }
  return null;
}

/** The city as BT-37/BT-52 states it: Bucharest's sector code, else the city as written. */
export function cityFor(county: string | null, city: string | undefined, postalCode?: string): string {
  if (county !== 'RO-B') return city?.trim() ?? '';
  const sector = sectorOf(city);
  if (sector) return sector;
  const postal = postalCode?.replace(/\s/g, '');
  if (postal && /^0[1-6]\d{4}$/.test(postal)) return `SECTOR${postal[1]}`;
  return city?.trim() ?? '';
}
