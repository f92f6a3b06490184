/** The media type read from a Content-Type, as the HTTP door and the RabbitMQ component use it. */
import { expect } from 'chai';
import { isJsonContentType, JSON_MEDIA_TYPE, mediaType } from '../../../src/components/shared/media-type.js';

describe('media type', function () {
  it('is the type without parameters, trimmed and in lower case', function () {
    expect(mediaType('application/json')).to.equal('application/json');
    expect(mediaType('Application/JSON; charset=utf-8')).to.equal('application/json');
    expect(mediaType('  text/plain ;format=flowed')).to.equal('text/plain');
    expect(mediaType('application/problem+json;')).to.equal('application/problem+json');
  });

  it('is none for no header, an empty one or one of parameters only', function () {
    expect(mediaType(undefined)).to.equal(undefined);
    expect(mediaType('')).to.equal(undefined);
    expect(mediaType('   ')).to.equal(undefined);
    expect(mediaType('; charset=utf-8')).to.equal(undefined);
  });

  it('counts JSON and its +json kin as JSON, nothing else', function () {
    for (const type of ['application/json', 'application/problem+json', 'application/vnd.api+json'])
      expect(JSON_MEDIA_TYPE.test(type), type).to.equal(true);
    for (const type of [
      'text/json',
      'application/jsonx',
      'application/json; charset=utf-8',
      'application/xml',
    ])
      expect(JSON_MEDIA_TYPE.test(type), type).to.equal(false);
  });

  it('tells JSON content types apart whatever order they come in (the last one is remembered)', function () {
    const cases: [string | undefined, boolean][] = [
      ['application/json', true],
      ['application/json', true],
      ['text/plain', false],
      ['Application/Problem+JSON; charset=utf-8', true],
      [undefined, false],
      ['application/json; charset=utf-8', true],
      ['application/xml', false],
      ['application/xml', false],
      ['', false],
      ['application/json', true],
    ];
    for (const [type, json] of cases) expect(isJsonContentType(type), String(type)).to.equal(json);
  });
});
