import { type Rng } from '@mch/plugin-sdk/sandbox-kit';
/** A seller who can log in on the authorize page; `/me` returns these fields. */
export interface SellerAccount {
    /** Allegro user ids are numeric strings. */
    id: string;
    login: string;
    firstName: string;
    lastName: string;
    email: string;
    company: {
        name: string;
        taxId: string;
    };
}
/** A valid NIP from a random stream (retries the rare digit sets whose check digit would be 10). */
export declare function randomNip(rng: Rng): string;
/** The sandbox's sellers, deterministic from the seed. */
export declare function makeAccounts(seed: string | number, count: number): SellerAccount[];
