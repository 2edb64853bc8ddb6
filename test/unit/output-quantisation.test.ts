import { alphaToU16, alphaToU8, compositeOver, roundHalfEven } from '../../native-host/video/quantise';

describe('roundHalfEven (NumPy round)', () => {
  it('rounds exact halves to the even neighbour, unlike Math.round', () => {
    expect([0.5, 1.5, 2.5, 127.5, 254.5, 3.4999, 3.5001].map(roundHalfEven)).toEqual([0, 2, 2, 128, 254, 3, 4]);
    expect(Math.round(2.5)).toBe(3);
  });
});

describe('alpha quantisation (spec §3.8, §4.6)', () => {
  it('8-bit: round_half_even(clip(α·255)) with the product in float32', () => {
    const alpha = Float32Array.from([0, 1, 0.5, 1.5 / 255, 2.5 / 255, -0.1, 1.2, 0.9999]);
    // 0.5·255 = 127.5 → 128; (1.5/255 in float32)·255 rounds to exactly 1.5 in float32 → 2; 2.5 → 2
    expect(Array.from(alphaToU8(alpha))).toEqual([0, 255, 128, 2, 2, 0, 255, 255]);
  });

  it('16-bit: round_half_even(α·65535)', () => {
    const alpha = Float32Array.from([0, 1, 0.5, 1 / 65535, 0.25]);
    // 0.5·65535 = 32767.5 → 32768 (even); 0.25·65535 = 16383.75 → 16384
    expect(Array.from(alphaToU16(alpha))).toEqual([0, 65535, 32768, 1, 16384]);
  });
});

describe('compositeOver (spec §3.8)', () => {
  const green: [number, number, number] = [120, 255, 155];

  it('α = 1 keeps the frame, α = 0 gives the colour', () => {
    const rgb = Uint8Array.from([10, 200, 30, 10, 200, 30]);
    expect(Array.from(compositeOver(rgb, Float32Array.from([1, 0]), green))).toEqual([10, 200, 30, 120, 255, 155]);
  });

  it('matches NumPy float32 arithmetic step by step', () => {
    const f32 = Math.fround;
    const rgb = Uint8Array.from([0, 128, 255]);
    const a = f32(0.3);
    const expected = [0, 128, 255].map((v, c) => {
      const com = f32(f32(f32(v / 255) * a) + f32(f32(green[c] / 255) * f32(1 - a)));
      return roundHalfEven(Math.min(255, Math.max(0, f32(com * 255))));
    });
    expect(Array.from(compositeOver(rgb, Float32Array.from([a]), green))).toEqual(expected);
    expect(expected).toEqual([84, 217, 185]);
  });
});
