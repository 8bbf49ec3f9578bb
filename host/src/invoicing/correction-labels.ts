import type { DocumentLanguage } from './pdf-document.ts';

/**
 * What a correction prints besides an invoice's labels: the corrected document's number and date
 * and the reason (PL art. 106j ust. 2: "numer kolejny oraz datę wystawienia faktury, do której
 * odnosi się faktura korygująca" and "przyczynę korekty"; RO Codul fiscal art. 330: the storno
 * refers to the original invoice).
 */
export interface CorrectionLabels {
  corrects(number: string, issueDate: string): string;
  reason: string;
  /** The reason printed on a correction to zero of an order cancelled after its invoice. */
  orderCancelled: string;
  /** The reason printed when a marketplace gives none: money refunded, goods returned. */
  refunded: string;
  returned: string;
}

export const CORRECTION_LABELS: Record<DocumentLanguage, CorrectionLabels> = {
  pl: {
    corrects: (n, d) => `Dotyczy faktury nr ${n} z dnia ${d}`,
    reason: 'Przyczyna korekty',
    orderCancelled: 'Anulowanie zamówienia po wystawieniu faktury',
    refunded: 'Zwrot środków kupującemu',
    returned: 'Zwrot towaru przez kupującego',
  },
  ro: {
    corrects: (n, d) => `Stornează factura nr. ${n} din ${d}`,
    reason: 'Motivul corecției',
    orderCancelled: 'Anularea comenzii după emiterea facturii',
    refunded: 'Rambursare către cumpărător',
    returned: 'Retur de marfă de la cumpărător',
  },
  hu: {
    corrects: (n, d) => `Helyesbített számla: ${n} (${d})`,
    reason: 'A helyesbítés oka',
    orderCancelled: 'A rendelés törlése a számla kiállítása után',
    refunded: 'Visszatérítés a vevőnek',
    returned: 'Áru visszaküldése a vevőtől',
  },
  bg: {
    corrects: (n, d) => `Към фактура № ${n} от ${d}`,
    reason: 'Основание',
    orderCancelled: 'Анулиране на поръчката след издаване на фактурата',
    refunded: 'Възстановена сума на купувача',
    returned: 'Върната стока от купувача',
  },
  en: {
    corrects: (n, d) => `Corrects invoice ${n} of ${d}`,
    reason: 'Reason',
    orderCancelled: 'Order cancelled after the invoice was issued',
    refunded: 'Money refunded to the buyer',
    returned: 'Goods returned by the buyer',
  },
};
