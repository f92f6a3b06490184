/** A JSON Schema node (draft 2020-12 / 07 subset) as plain data; ajv validates it. */
export type JsonSchema = { [keyword: string]: unknown };
