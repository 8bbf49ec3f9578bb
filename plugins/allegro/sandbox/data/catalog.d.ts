/**
 * Fixed word lists the generator draws from: Polish names, places and products, so demo data
 * looks like an Allegro seller's (reference/README.md "Allegro": buyers, companies with NIP,
 * PLN amounts).
 */
export declare const FIRST_NAMES: readonly ["Anna", "Piotr", "Katarzyna", "Krzysztof", "Małgorzata", "Tomasz", "Agnieszka", "Paweł", "Magdalena", "Michał", "Joanna", "Marcin", "Ewa", "Jakub", "Zofia", "Łukasz", "Barbara", "Adam"];
export declare const LAST_NAMES: readonly ["Nowak", "Kowalski", "Wiśniewski", "Wójcik", "Kowalczyk", "Kamiński", "Lewandowski", "Zieliński", "Szymański", "Woźniak", "Dąbrowski", "Kozłowski", "Jankowski", "Mazur", "Krawczyk", "Piotrowski"];
export declare const CITIES: readonly [{
    readonly city: "Warszawa";
    readonly postCode: "00-950";
}, {
    readonly city: "Kraków";
    readonly postCode: "30-001";
}, {
    readonly city: "Łódź";
    readonly postCode: "90-001";
}, {
    readonly city: "Wrocław";
    readonly postCode: "50-001";
}, {
    readonly city: "Poznań";
    readonly postCode: "60-001";
}, {
    readonly city: "Gdańsk";
    readonly postCode: "80-001";
}, {
    readonly city: "Szczecin";
    readonly postCode: "70-001";
}, {
    readonly city: "Lublin";
    readonly postCode: "20-001";
}, {
    readonly city: "Katowice";
    readonly postCode: "40-001";
}, {
    readonly city: "Białystok";
    readonly postCode: "15-001";
}];
export declare const STREETS: readonly ["Marszałkowska", "Długa", "Polna", "Lipowa", "Ogrodowa", "Kościuszki", "Mickiewicza", "Słowackiego", "Piłsudskiego", "Leśna", "Kwiatowa", "Szkolna"];
export declare const COMPANY_KINDS: readonly ["sp. z o.o.", "S.A.", "s.c.", "sp.j.", "P.H.U."];
export declare const COMPANY_WORDS: readonly ["Tech", "Bud", "Trans", "Med", "Agro", "Pol", "Eko", "Dom", "Auto", "Soft"];
/** Product names with the VAT rate Polish law applies to them (23 standard, 8/5 reduced, 0). */
export declare const PRODUCTS: readonly {
    name: string;
    vat: '23.00' | '8.00' | '5.00' | '0.00';
    min: number;
    max: number;
}[];
export declare const DELIVERY_METHODS: readonly [{
    readonly id: "2488f7b7-5d1c-4d65-b85c-4cbcf253fd93";
    readonly name: "Allegro Paczkomaty InPost";
    readonly min: 8.99;
    readonly max: 13.99;
    readonly pickup: true;
}, {
    readonly id: "845efe05-a31c-4b2e-8ab8-57e1d4b0b6b2";
    readonly name: "Allegro Kurier DPD";
    readonly min: 11.99;
    readonly max: 16.99;
    readonly pickup: false;
}, {
    readonly id: "b20ef9e1-faa2-4f25-9032-adbea23e5cb9";
    readonly name: "Allegro One Box, One Kurier";
    readonly min: 6.99;
    readonly max: 9.99;
    readonly pickup: true;
}, {
    readonly id: "9081532b-5ad3-467d-80bc-9252982e9dd8";
    readonly name: "Kurier pobranie";
    readonly min: 16.99;
    readonly max: 24.99;
    readonly pickup: false;
}, {
    readonly id: "1fa56f79-4b6a-4821-a6f2-ca9c16d5c925";
    readonly name: "Odbiór osobisty";
    readonly min: 0;
    readonly max: 0;
    readonly pickup: false;
}];
/** A valid Polish NIP: 9 digits plus the mod-11 check digit (weights 6,5,7,2,3,4,5,6,7). */
export declare function nipFrom(digits: readonly number[]): string | null;
export declare function isValidNip(nip: string): boolean;
