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

/**
 * The order of scenario S1b: valid against bench/routes/s1b/order.schema.json, five line items, ~1.3 KiB on
 * the wire; mapped by bench/routes/s1b/order-to-invoice.jsonata.
 */
export const ORDER = {
  orderId: 'ord-2026-11-7f3a9c',
  channel: 'partner',
  currency: 'EUR',
  vatRate: 0.19,
  placedAt: '2026-11-23T10:15:00Z',
  customer: {
    firstName: '  Margarethe ',
    lastName: 'Oberholzer-Kastensmidt',
    email: 'M.Oberholzer@Einkauf.Example-Maschinenbau.de',
    phone: '+49 30 1234 5678',
    loyaltyTier: 'gold',
  },
  items: [
    { sku: ' brg-6205-2rs ', description: 'Deep groove ball bearing 6205 (sealed, both sides)', quantity: 40, unitPrice: 4.85 },
    { sku: 'shf-25-h7', description: 'Precision shaft 25 mm h7 (ground)', quantity: 6, unitPrice: 38.9, discountPercent: 5 },
    { sku: 'cpl-elastic-28', description: 'Elastic coupling 28 mm', quantity: 6, unitPrice: 22.4 },
    { sku: 'oil-iso-vg68', description: 'Gear oil ISO VG 68 (20 l canister)', quantity: 2, unitPrice: 96.0, discountPercent: 10 },
    { sku: 'seal-kit-m12', description: 'Seal kit M12 (assorted)', quantity: 12, unitPrice: 7.35 },
  ],
  notes: '  Deliver to gate 4, goods receipt closes at 15:00.  ',
};

/** The order as sent: indented JSON. */
export const ORDER_TEXT = JSON.stringify(ORDER, null, 6);
