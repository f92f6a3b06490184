/** Converts a non-null body; throws an Error saying why when it cannot. */
export type Conversion = (body: unknown, charset: BufferEncoding) => unknown;

const toText: Conversion = (body, charset) => {
  if (typeof body === 'string') return body;
  if (Buffer.isBuffer(body)) return body.toString(charset);
  if (typeof body === 'number' || typeof body === 'boolean' || typeof body === 'bigint') return String(body);
  return JSON.stringify(body) ?? '';
};

const toBytes: Conversion = (body, charset) => {
  if (Buffer.isBuffer(body)) return body;
  return Buffer.from(toText(body, charset) as string, charset);
};

/** Data from JSON text; data already parsed is kept. `accepts` says which JSON values the target type can hold. */
function fromJson(accepts: (value: unknown) => boolean, what: string): Conversion {
  return (body, charset) => {
    const value =
      typeof body === 'string' || Buffer.isBuffer(body) ? parseJson(toText(body, charset) as string) : body;
    if (!accepts(value)) throw new Error(`the body is not ${what}`);
    return value;
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`the body is not valid JSON (${(error as Error).message})`);
  }
}

const isObject = (value: unknown) =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value);
const isJsonValue = (value: unknown) => !Buffer.isBuffer(value);

function toNumber(integer: boolean): Conversion {
  return (body, charset) => {
    const text = typeof body === 'number' ? String(body) : (toText(body, charset) as string).trim();
    const value = Number(text);
    if (text === '' || !Number.isFinite(value)) throw new Error(`'${text}' is not a number`);
    if (integer && !Number.isInteger(value)) throw new Error(`'${text}' is not a whole number`);
    return value;
  };
}

const toBoolean: Conversion = (body, charset) => {
  if (typeof body === 'boolean') return body;
  const text = (toText(body, charset) as string).trim().toLowerCase();
  if (text === 'true' || text === 'false') return text === 'true';
  throw new Error(`'${text}' is not true or false`);
};

const toMap = fromJson(isObject, 'a JSON object');
const toList = fromJson(Array.isArray, 'a JSON array');
const toJsonNode = fromJson(isJsonValue, 'JSON');

/** Supported target types, by every name Camel routes spell them with. */
export const TARGETS: Record<string, Conversion> = {
  String: toText,
  'java.lang.String': toText,
  'byte[]': toBytes,
  'java.util.Map': toMap,
  'java.util.HashMap': toMap,
  'java.util.LinkedHashMap': toMap,
  'java.util.List': toList,
  'java.util.ArrayList': toList,
  'com.fasterxml.jackson.databind.JsonNode': toJsonNode,
  'com.fasterxml.jackson.databind.node.ObjectNode': toMap,
  'com.fasterxml.jackson.databind.node.ArrayNode': toList,
  Integer: toNumber(true),
  'java.lang.Integer': toNumber(true),
  Long: toNumber(true),
  'java.lang.Long': toNumber(true),
  Double: toNumber(false),
  'java.lang.Double': toNumber(false),
  Boolean: toBoolean,
  'java.lang.Boolean': toBoolean,
};
