import type { CountryCode } from './platforms.ts';

/** Name, place and company pools per country, for realistic-looking buyers. */
export interface CountryPool {
  countryName: string;
  firstNames: readonly { name: string; gender: 'M' | 'F' }[];
  lastNames: readonly string[];
  /** [county/suburb, city, postal code prefix] */
  places: readonly (readonly [string, string, string])[];
  streets: readonly string[];
  companySuffix: string;
  companyWords: readonly string[];
  banks: readonly string[];
  phonePrefix: string;
}

export const POOLS: Record<CountryCode, CountryPool> = {
  RO: {
    countryName: 'Romania',
    firstNames: [
      { name: 'Andrei', gender: 'M' },
      { name: 'Mihai', gender: 'M' },
      { name: 'Ion', gender: 'M' },
      { name: 'Alexandru', gender: 'M' },
      { name: 'Ștefan', gender: 'M' },
      { name: 'Maria', gender: 'F' },
      { name: 'Elena', gender: 'F' },
      { name: 'Ioana', gender: 'F' },
      { name: 'Ana', gender: 'F' },
      { name: 'Cristina', gender: 'F' },
    ],
    lastNames: [
      'Popescu',
      'Ionescu',
      'Popa',
      'Dumitru',
      'Stan',
      'Stoica',
      'Gheorghe',
      'Rusu',
      'Munteanu',
      'Matei',
    ],
    places: [
      ['Bucuresti', 'Sector 1', '01'],
      ['Bucuresti', 'Sector 3', '03'],
      ['Cluj', 'Cluj-Napoca', '40'],
      ['Timis', 'Timisoara', '30'],
      ['Iasi', 'Iasi', '70'],
      ['Constanta', 'Constanta', '90'],
      ['Brasov', 'Brasov', '50'],
    ],
    streets: [
      'Str. Lalelelor',
      'Bd. Unirii',
      'Calea Victoriei',
      'Str. Mihai Eminescu',
      'Aleea Trandafirilor',
    ],
    companySuffix: 'SRL',
    companyWords: ['Tehno', 'Agro', 'Construct', 'Digital', 'Casa', 'Nova', 'Prim', 'Carpat'],
    banks: ['Banca Transilvania', 'BCR', 'ING Bank', 'BRD'],
    phonePrefix: '07',
  },
  BG: {
    countryName: 'Bulgaria',
    firstNames: [
      { name: 'Георги', gender: 'M' },
      { name: 'Иван', gender: 'M' },
      { name: 'Димитър', gender: 'M' },
      { name: 'Николай', gender: 'M' },
      { name: 'Мария', gender: 'F' },
      { name: 'Елена', gender: 'F' },
      { name: 'Десислава', gender: 'F' },
      { name: 'Йорданка', gender: 'F' },
    ],
    lastNames: ['Иванов', 'Георгиев', 'Димитров', 'Петров', 'Николов', 'Стоянов', 'Христов'],
    places: [
      ['София', 'София', '10'],
      ['Пловдив', 'Пловдив', '40'],
      ['Варна', 'Варна', '90'],
      ['Бургас', 'Бургас', '80'],
    ],
    streets: ['ул. Витоша', 'бул. Христо Ботев', 'ул. Раковски', 'бул. Васил Левски'],
    companySuffix: 'ЕООД',
    companyWords: ['Техно', 'Агро', 'Строй', 'Дигитал', 'Балкан', 'Нова'],
    banks: ['УниКредит Булбанк', 'ДСК', 'Пощенска банка'],
    phonePrefix: '08',
  },
  HU: {
    countryName: 'Hungary',
    firstNames: [
      { name: 'László', gender: 'M' },
      { name: 'István', gender: 'M' },
      { name: 'Zoltán', gender: 'M' },
      { name: 'Gábor', gender: 'M' },
      { name: 'Katalin', gender: 'F' },
      { name: 'Éva', gender: 'F' },
      { name: 'Zsuzsanna', gender: 'F' },
      { name: 'Anna', gender: 'F' },
    ],
    lastNames: ['Nagy', 'Kovács', 'Tóth', 'Szabó', 'Horváth', 'Varga', 'Kiss', 'Molnár'],
    places: [
      ['Budapest', 'Budapest', '11'],
      ['Pest', 'Érd', '20'],
      ['Hajdú-Bihar', 'Debrecen', '40'],
      ['Csongrád', 'Szeged', '67'],
    ],
    streets: ['Andrássy út', 'Kossuth Lajos utca', 'Petőfi Sándor utca', 'Rákóczi út'],
    companySuffix: 'Kft.',
    companyWords: ['Techno', 'Agro', 'Építő', 'Digitál', 'Duna', 'Nova'],
    banks: ['OTP Bank', 'K&H Bank', 'Erste Bank'],
    phonePrefix: '06',
  },
};
