import { expect } from 'chai';
import { compileDateFormat } from '../../src/languages/simple/date-format.js';

describe('simple language: date patterns', () => {
  // Local time, as the formatter uses the router's time zone.
  const date = new Date(2024, 0, 7, 15, 4, 9, 45);

  it('formats numbers, names, 12-hour clock and literals', () => {
    expect(compileDateFormat('yyyyMMddHHmmssSSS')(date)).to.equal('20240107150409045');
    expect(compileDateFormat('yy-M-d H:m:s')(date)).to.equal('24-1-7 15:4:9');
    expect(compileDateFormat('EEE, dd MMM yyyy')(date)).to.equal('Sun, 07 Jan 2024');
    expect(compileDateFormat('EEEE MMMM')(date)).to.equal('Sunday January');
    expect(compileDateFormat('hh:mm a')(date)).to.equal('03:04 PM');
    expect(compileDateFormat("'day' d 'o''clock' ''")(date)).to.equal("day 7 o'clock '");
  });

  it('formats zone offsets as Java does', () => {
    const offset = -date.getTimezoneOffset();
    const sign = offset < 0 ? '-' : '+';
    const hh = String(Math.floor(Math.abs(offset) / 60)).padStart(2, '0');
    const mm = String(Math.abs(offset) % 60).padStart(2, '0');
    expect(compileDateFormat('Z')(date)).to.equal(`${sign}${hh}${mm}`);
    expect(compileDateFormat('XXX')(date)).to.equal(offset === 0 ? 'Z' : `${sign}${hh}:${mm}`);
    expect(compileDateFormat('XX')(date)).to.equal(offset === 0 ? 'Z' : `${sign}${hh}${mm}`);
  });

  it('rejects unknown letters and unclosed quotes', () => {
    expect(() => compileDateFormat('yyyy-ww')).to.throw(/Unsupported date pattern letter "ww"/);
    expect(() => compileDateFormat("yyyy'T")).to.throw(/unclosed quote at position 5/);
  });

  it('answers every instant with its own text when one formatter serves many calls', () => {
    const seconds = compileDateFormat("yyyy-MM-dd'T'HH:mm:ss");
    const millis = compileDateFormat("HH:mm:ss.SSS 'Sept'");
    const at = (ms: number): Date => new Date(Date.UTC(2026, 11, 7, 9, 30, 0) + ms);
    const expected = (d: Date, withMs: boolean): string =>
      `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}:` +
      `${String(d.getSeconds()).padStart(2, '0')}${withMs ? `.${String(d.getMilliseconds()).padStart(3, '0')} Sept` : ''}`;
    for (const ms of [0, 1, 999, 1000, 0, 61_000, 999, 1000]) {
      expect(seconds(at(ms)).slice(11), `seconds at +${ms} ms`).to.equal(expected(at(ms), false));
      expect(millis(at(ms)), `millis at +${ms} ms`).to.equal(expected(at(ms), true));
    }
    expect(seconds(new Date(NaN))).to.equal(compileDateFormat("yyyy-MM-dd'T'HH:mm:ss")(new Date(NaN)));
  });
});
