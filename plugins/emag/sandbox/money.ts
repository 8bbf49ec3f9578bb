import { formatUnits } from '@mch/plugin-sdk/sandbox-kit';

/**
 * Amounts are kept as integers in ten-thousandths and printed as eMAG prints them:
 * decimal strings with 4 places (API doc "Processing orders": sale_price "123.4567").
 */
export const fmt4 = (tenThousandths: number): string => formatUnits(tenThousandths, 4);

/** A VAT rate in ten-thousandths (1900) as eMAG's fraction string ("0.1900"). */
export const vatFraction = (rate: number): string => formatUnits(rate, 4);
