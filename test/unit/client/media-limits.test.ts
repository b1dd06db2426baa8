import { SdkError } from '../../../src/errors';
import { checkMediaLimits, gifLimitBytes, GIF_TOO_LARGE, SIGHT_TOO_LONG } from '../../../src/client/services/media-limits';

function codeOf(run: () => void): number | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    return error instanceof SdkError ? error.code : -1;
  }
}

describe('send-time media limits', () => {
  it('sight: more than 120 s is 34002 (numbers or numeric text); 120 s and unknown durations pass', () => {
    expect(codeOf(() => checkMediaLimits('RC:SightMsg', { duration: 121 }, undefined))).toBe(SIGHT_TOO_LONG);
    expect(codeOf(() => checkMediaLimits('RC:SightMsg', { duration: '120.5' }, undefined))).toBe(34002);
    expect(codeOf(() => checkMediaLimits('RC:SightMsg', { duration: 120 }, undefined))).toBeUndefined();
    expect(codeOf(() => checkMediaLimits('RC:SightMsg', {}, undefined))).toBeUndefined();
    expect(codeOf(() => checkMediaLimits('RC:SightMsg', { duration: 'long' }, undefined))).toBeUndefined();
  });

  it('GIF: gifDataSize in bytes against navi gifSize in KB (default 2048 KB = 2 MB) is 34003', () => {
    expect(gifLimitBytes(undefined)).toBe(2 * 1024 * 1024);
    expect(gifLimitBytes({ gifSize: 512 })).toBe(512 * 1024);
    expect(gifLimitBytes({ gifSize: '1024' })).toBe(1024 * 1024);
    expect(gifLimitBytes({ gifSize: 0 })).toBe(2 * 1024 * 1024);
    expect(codeOf(() => checkMediaLimits('RC:GIFMsg', { gifDataSize: 2 * 1024 * 1024 + 1 }, undefined))).toBe(GIF_TOO_LARGE);
    expect(codeOf(() => checkMediaLimits('RC:GIFMsg', { gifDataSize: 2 * 1024 * 1024 }, undefined))).toBeUndefined();
    expect(codeOf(() => checkMediaLimits('RC:GIFMsg', { gifDataSize: 600 * 1024 }, { gifSize: 512 }))).toBe(34003);
  });

  it('leaves every other message type alone, whatever its fields', () => {
    expect(codeOf(() => checkMediaLimits('RC:TxtMsg', { duration: 9999, gifDataSize: 1e12 }, undefined))).toBeUndefined();
    expect(codeOf(() => checkMediaLimits('RC:HQVCMsg', { duration: 9999 }, undefined))).toBeUndefined();
  });
});
