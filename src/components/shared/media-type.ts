/** Media types of message bodies, as the HTTP door and the RabbitMQ component read them. */

/** `application/json` and its structured-syntax kin (`application/problem+json`), without parameters. */
export const JSON_MEDIA_TYPE = /^application\/(?:[\w.+-]+\+)?json$/i;

/** The media type of a Content-Type, lower-cased and without parameters (`; charset=...`); none when empty. */
export function mediaType(contentType: string | undefined): string | undefined {
  if (contentType === undefined) return undefined;
  // indexOf and slice, not split: no array per message for a header that rarely has parameters.
  const semicolon = contentType.indexOf(';');
  const type = (semicolon === -1 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
  return type ? type : undefined;
}

let lastContentType: string | undefined;
let lastIsJson = false;

/**
 * Whether a Content-Type is JSON, parameters aside. The last one asked about is remembered: a route's
 * messages nearly all carry the same one, and working it out allocated strings for every message.
 */
export function isJsonContentType(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  if (contentType !== lastContentType) {
    const type = mediaType(contentType);
    lastIsJson = type !== undefined && JSON_MEDIA_TYPE.test(type);
    lastContentType = contentType;
  }
  return lastIsJson;
}
