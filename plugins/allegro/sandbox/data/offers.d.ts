/** Each seller lists this many offers; line items draw from them. */
export declare const OFFERS_PER_ACCOUNT = 400;
export interface OfferSeed {
    id: string;
    name: string;
    /** Gross price in grosze. */
    priceUnits: number;
    vat: '23.00' | '8.00' | '5.00' | '0.00';
    sku: string;
    stock: number;
    categoryId: string;
}
/** Offer ids are 11-digit numeric strings, like Allegro's; the account index is encoded in them. */
export declare function offerId(accountIndex: number, k: number): string;
export declare function parseOfferId(id: string): {
    accountIndex: number;
    k: number;
} | null;
/** Offer k of an account; memoised (at most OFFERS_PER_ACCOUNT small objects per account and seed). */
export declare function makeOffer(seed: string | number, accountIndex: number, k: number): OfferSeed;
/** `GET /sale/product-offers/{offerId}` body (SaleProductOfferResponseV1, the fields sellers use). */
export declare function offerResponse(offer: OfferSeed, createdAt: string): Record<string, unknown>;
