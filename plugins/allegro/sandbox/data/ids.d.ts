export declare function checkoutFormId(seed: string | number, accountIndex: number, index: number): string;
/** The order index behind an id of this account, or null if the id is not one of its forms. */
export declare function parseCheckoutFormId(seed: string | number, accountIndex: number, id: string): number | null;
export declare const UUID_PATTERN: RegExp;
/** An 8-hex revision, like Allegro's (`checkoutForm.revision=819b5836`). */
export declare function revisionFor(seed: string | number, accountIndex: number, index: number, version: number): string;
