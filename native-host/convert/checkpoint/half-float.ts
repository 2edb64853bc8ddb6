/**
 * Exact widening of IEEE half (float16) and bfloat16 bit patterns to float32. Every half value is
 * representable in float32, so these conversions lose nothing (NaN payloads included).
 */

let halfTable: Uint32Array | undefined;

/** float32 bit pattern for each of the 65536 float16 bit patterns, built on first use (256 KiB). */
function halfToFloatBitsTable(): Uint32Array {
  if (halfTable) return halfTable;
  const table = new Uint32Array(65536);
  const f32 = new Float32Array(1);
  const u32 = new Uint32Array(f32.buffer);
  for (let h = 0; h < 65536; h++) {
    const sign = (h & 0x8000) << 16;
    const exp = (h >> 10) & 0x1f;
    const mant = h & 0x3ff;
    if (exp === 0x1f) {
      table[h] = sign | 0x7f800000 | (mant << 13); // inf / NaN, payload kept
    } else if (exp !== 0) {
      table[h] = sign | ((exp + 112) << 23) | (mant << 13); // rebias 15 -> 127
    } else {
      // zero or subnormal: mant * 2^-24 is exact in float32
      f32[0] = mant * 2 ** -24;
      table[h] = sign | u32[0];
    }
  }
  halfTable = table;
  return table;
}

/** Widens float16 bit patterns to a new Float32Array. */
export function float16ToFloat32(bits: Uint16Array): Float32Array {
  const table = halfToFloatBitsTable();
  const out = new Uint32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = table[bits[i]];
  return new Float32Array(out.buffer);
}

/** Widens bfloat16 bit patterns (the upper half of a float32) to a new Float32Array. */
export function bfloat16ToFloat32(bits: Uint16Array): Float32Array {
  const out = new Uint32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = bits[i] << 16;
  return new Float32Array(out.buffer);
}
