/**
 * The payment every scenario sends: valid against schemas/payment.schema.json, mapped by
 * routes/mappings/payment-to-ledger.jsonata, about 1 KiB on the wire. The schema allows no extra fields, so
 * the size comes from full-length names, e-mail addresses, remittance text and the JSON indentation a
 * back-office system commonly sends.
 */
export const PAYMENT = {
  paymentId: '3f2b8a9e-1c4d-4e5f-8a7b-9c0d1e2f3a4b',
  debtor: {
    name: 'Acme Industrial Supplies and Logistics Holdings Ltd (Northern Branch)',
    iban: 'GB33BUKB20201555555555',
    email: 'accounts.payable.department.northern.branch@finance.acme-industrial-supplies-and-logistics.example.co.uk',
  },
  creditor: {
    name: 'Globex Precision Engineering GmbH und Compagnie Kommanditgesellschaft',
    iban: 'DE89370400440532013000',
    email: 'forderungsmanagement.buchhaltung.zentrale@rechnungswesen.globex-precision-engineering-gmbh.example.de',
  },
  instructedAmount: { amount: 1250.5, currency: 'EUR' },
  requestedAt: '2026-11-23T10:15:00Z',
  remittanceInfo:
    'Invoice 2026-1142 for precision bearings, delivery note DN-88231, purchase order PO-5521-A, framework agreement FA-2024-17 clause 4',
};

/** The body as sent: indented JSON, ~0.95 KiB. */
export const PAYMENT_TEXT = JSON.stringify(PAYMENT, null, 6);

/** Header carrying the send time (ms since the epoch, fractional) from the load generator to the sink. */
export const SENT_AT_HEADER = 'x-bench-sent-at';
