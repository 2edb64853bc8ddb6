/**
 * Raw protobuf helpers (no schema needed: fields are copied, stream names renamed) and the SelfieSegmentationGpu
 * subgraph config embedded in the legacy @mediapipe/selfie_segmentation solution's wasm, shared by
 * make-reference.js (which inlines the subgraph) and make-reference-cpu.js (which reads the input range the
 * solution's own ImageToTensorCalculator gives the model).
 */
function readVarint(b, p) { let r = 0, m = 1; for (;;) { const x = b[p++]; r += (x & 0x7f) * m; m *= 128; if (!(x & 0x80)) return [r, p]; } }
function parseProto(b) {
  const out = []; let p = 0;
  while (p < b.length) {
    let k; [k, p] = readVarint(b, p); const field = Math.floor(k / 8), wire = k & 7;
    if (wire === 0) { const s = p; [, p] = readVarint(b, p); out.push({ field, wire, raw: b.subarray(s, p) }); }
    else if (wire === 2) { let n; [n, p] = readVarint(b, p); out.push({ field, wire, raw: b.subarray(p, p + n) }); p += n; }
    else if (wire === 5) { out.push({ field, wire, raw: b.subarray(p, p + 4) }); p += 4; }
    else if (wire === 1) { out.push({ field, wire, raw: b.subarray(p, p + 8) }); p += 8; }
    else throw new Error(`protobuf wire type ${wire}`);
  }
  return out;
}
function varint(n) { const o = []; do { let x = n % 128; n = Math.floor(n / 128); if (n) x |= 0x80; o.push(x); } while (n); return Buffer.from(o); }
function encodeProto(fields) {
  return Buffer.concat(fields.flatMap(({ field, wire, raw }) => [varint(field * 8 + wire), ...(wire === 2 ? [varint(raw.length)] : []), Buffer.from(raw)]));
}
const str = (field, s) => ({ field, wire: 2, raw: Buffer.from(s) });
const msg = (field, fields) => ({ field, wire: 2, raw: encodeProto(fields) });

function subgraphFromWasm(wasm) {
  const end = wasm.indexOf(Buffer.from('SelfieSegmentationGpu'), wasm.indexOf(Buffer.from('SelfieSegmentationModelLoader*'))) + 'SelfieSegmentationGpu'.length;
  const start = wasm.lastIndexOf(Buffer.from('SwitchContainer'), end) - 5; // 0x0a <len varint:2> 0x12 <len:1> "SwitchContainer"
  const config = parseProto(wasm.subarray(start, end));
  if (config[config.length - 1].field !== 20 || String(Buffer.from(config[config.length - 1].raw)) !== 'SelfieSegmentationGpu') throw new Error('SelfieSegmentationGpu config not found in the wasm');
  return config;
}

/** ImageToTensorCalculatorOptions (extension 334361939 of CalculatorOptions) inside a config: each one's
 * output_tensor_width (1), output_tensor_height (2) and output_tensor_float_range (4: min 1, max 2). */
function imageToTensorOptions(config) {
  const tag = varint(334361939 * 8 + 2);
  const bytes = Buffer.from(encodeProto(config));
  const found = [];
  for (let p = bytes.indexOf(tag); p >= 0; p = bytes.indexOf(tag, p + 1)) {
    const [n, q] = readVarint(bytes, p + tag.length);
    const fields = parseProto(bytes.subarray(q, q + n));
    const u = (f) => { const x = fields.find((e) => e.field === f); return x ? readVarint(x.raw, 0)[0] : undefined; };
    const range = fields.find((e) => e.field === 4);
    const r = range ? parseProto(range.raw) : [];
    const float = (f) => { const x = r.find((e) => e.field === f && e.wire === 5); return x ? Buffer.from(x.raw).readFloatLE(0) : undefined; };
    found.push({ width: u(1), height: u(2), min: float(1), max: float(2) });
  }
  return found;
}

module.exports = { readVarint, parseProto, varint, encodeProto, str, msg, subgraphFromWasm, imageToTensorOptions };
