/**
 * JSON Schema's types and formats in the words a seller reads ("must be a whole number", "must be
 * an email address"), shared by the server's settings validation and the console's forms so both
 * say the same thing about the same field.
 */
export const TYPE_WORDS: Readonly<Record<string, string>> = {
  string: 'text',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'yes or no',
  array: 'a list',
  object: 'a group of fields',
  null: 'empty',
};

export const FORMAT_WORDS: Readonly<Record<string, string>> = {
  email: 'an email address',
  uri: 'a web address (https://…)',
  url: 'a web address (https://…)',
  date: 'a date (YYYY-MM-DD)',
  'date-time': 'a date and time',
  time: 'a time (HH:MM)',
  ipv4: 'an IPv4 address',
  ipv6: 'an IPv6 address',
  uuid: 'an identifier like 123e4567-e89b-12d3-a456-426614174000',
};

/** "1 character", "5 characters"; "entry" → "entries". */
export const plural = (n: unknown, word: string): string =>
  `${String(n)} ${n === 1 ? word : word.endsWith('y') ? `${word.slice(0, -1)}ies` : `${word}s`}`;
