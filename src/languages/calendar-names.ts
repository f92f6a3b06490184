/** English month names, January first: what both date formatters (simple's `${date:...}`, jsonata's `$fromMillis`) print. */
export const MONTH_NAMES: readonly string[] = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
