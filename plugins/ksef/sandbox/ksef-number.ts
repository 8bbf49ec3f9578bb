/**
 * KSeF numbers in the official format (faktury/numer-ksef.md): `NIP-YYYYMMDD-XXXXXXXXXXXX-CC`,
 * 35 characters, a 12-hex technical part and a CRC-8 (polynomial 0x07, initial 0x00) of the first
 * 32 characters, upper-case hex.
 */
export function crc8(text: string): number {
  let crc = 0;
  for (const byte of Buffer.from(text, 'utf8')) {
    crc ^= byte;
    for (let i = 0; i < 8; i++) crc = crc & 0x80 ? ((crc << 1) ^ 0x07) & 0xff : (crc << 1) & 0xff;
  }
  return crc;
}

export function ksefNumber(nip: string, date: Date, sequence: number): string {
  const day = date.toISOString().slice(0, 10).replace(/-/g, '');
  const technical = (0x010000000000 + sequence).toString(16).toUpperCase().padStart(12, '0').slice(-12);
  const data = `${nip}-${day}-${technical}`;
  return `${data}-${crc8(data).toString(16).toUpperCase().padStart(2, '0')}`;
}

export function isValidKsefNumber(value: string): boolean {
  if (value.length !== 35) return false;
  return crc8(value.slice(0, 32)).toString(16).toUpperCase().padStart(2, '0') === value.slice(33);
}
