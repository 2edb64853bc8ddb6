/**
 * Adds TFLite model metadata (schema mediapipe/tasks/metadata/metadata_schema.fbs, file identifier "M001") to a
 * `.tflite` file that has none, for make-reference-cpu.js: MediaPipe Tasks' ImageSegmenter refuses a float
 * model without input NormalizationOptions, and the selfie segmentation models of the legacy solution package
 * carry no metadata (the solution's graph states the input range in its ImageToTensorCalculator instead).
 *
 * How: FlatBuffers offsets (uoffset_t) only point forward, so the original file is kept byte for byte and a new
 * root Model table is *prepended*: it copies the original Model's fields as offsets into the shifted original
 * bytes, with `buffers` extended by one buffer holding the metadata and `metadata` by {"TFLITE_METADATA", that
 * buffer}. The prefix is a multiple of 16 bytes, so every alignment of the original data is kept. The original's
 * own root offset and file identifier remain as unused bytes after the prefix.
 */

/** A forward FlatBuffers writer: each object is written before the objects it points to. */
class ForwardWriter {
  constructor() {
    this.buf = Buffer.alloc(4096);
    this.len = 0;
    /** offsets into bytes outside this writer: [position, absolute target before the shift] */
    this.external = [];
  }
  room(n) {
    if (this.len + n <= this.buf.length) return;
    const b = Buffer.alloc(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(b, 0, 0, this.len);
    this.buf = b;
  }
  pad(align, ahead = 0) { while ((this.len + ahead) % align) { this.room(1); this.buf[this.len++] = 0; } }
  u8(v) { this.room(1); this.buf.writeUInt8(v, this.len); this.len += 1; }
  u16(v) { this.room(2); this.buf.writeUInt16LE(v, this.len); this.len += 2; }
  u32(v) { this.room(4); this.buf.writeUInt32LE(v, this.len); this.len += 4; }
  i32(v) { this.room(4); this.buf.writeInt32LE(v, this.len); this.len += 4; }
  f32(v) { this.room(4); this.buf.writeFloatLE(v, this.len); this.len += 4; }
  raw(b) { this.room(b.length); Buffer.from(b).copy(this.buf, this.len); this.len += b.length; }
  patch(at, target) {
    if (target <= at) throw new Error('flatbuffers: offsets must point forward');
    this.buf.writeUInt32LE(target - at, at);
  }

  /**
   * Writes a node, returns its position. Nodes: {table: [field…]} with fields indexed by id, each undefined,
   * {u8}, {u32}, {node} or {external: position}; {vector: [node | {external}]} of tables; {string};
   * {floats: number[]}; {bytes, align}.
   */
  write(node) {
    if (node.table) {
      const fields = node.table;
      this.pad(4);
      const vtable = this.len;
      let slot = 4;
      const layout = fields.map((f) => (f ? (slot += 4) - 4 : 0));
      this.u16(4 + 2 * fields.length);
      this.u16(slot);
      for (const o of layout) this.u16(o);
      this.pad(4);
      const table = this.len;
      this.i32(table - vtable);
      const pending = [];
      fields.forEach((f) => {
        if (!f) return;
        const at = this.len;
        if ('u8' in f) this.u32(f.u8); // a ubyte in a 4-byte slot (little-endian: the byte comes first)
        else if ('u32' in f) this.u32(f.u32);
        else { this.u32(0); pending.push([at, f]); }
      });
      for (const [at, f] of pending) this.link(at, f);
      return table;
    }
    this.pad(4, node.bytes ? 4 : 0);
    if (node.bytes) this.pad(node.align ?? 4, 4);
    const start = this.len;
    if (node.vector) {
      this.u32(node.vector.length);
      const slots = node.vector.map(() => { const at = this.len; this.u32(0); return at; });
      node.vector.forEach((item, i) => this.link(slots[i], item.external !== undefined ? item : { node: item }));
    } else if (node.string !== undefined) {
      const s = Buffer.from(node.string, 'utf8');
      this.u32(s.length); this.raw(s); this.u8(0);
    } else if (node.floats) {
      this.u32(node.floats.length);
      for (const v of node.floats) this.f32(v);
    } else if (node.bytes) {
      this.u32(node.bytes.length); this.raw(node.bytes);
    } else throw new Error('flatbuffers: unknown node');
    return start;
  }
  link(at, f) {
    if (f.external !== undefined) this.external.push([at, f.external]);
    else this.patch(at, this.write(f.node));
  }
}

/** A standalone flatbuffer with a root table and a file identifier. */
function finish(root, identifier) {
  const w = new ForwardWriter();
  w.u32(0);
  w.raw(Buffer.from(identifier, 'ascii'));
  w.patch(0, w.write(root));
  w.pad(16);
  return w.buf.subarray(0, w.len);
}

const str = (s) => ({ node: { string: s } });

/** ModelMetadata for a one-input, one-output image model: the input normalised as (x - mean) / std. */
function imageModelMetadata({ name, mean, std }) {
  const normalization = { table: [{ node: { floats: mean } }, { node: { floats: std } }] }; // NormalizationOptions
  const processUnit = { table: [{ u8: 1 }, { node: normalization }] }; // ProcessUnit { options_type NormalizationOptions, options }
  const input = { table: [str('input'), undefined, undefined, undefined, { node: { vector: [processUnit] } }] }; // TensorMetadata
  const output = { table: [str('segmentation')] };
  const subgraph = { table: [undefined, undefined, { node: { vector: [input] } }, { node: { vector: [output] } }] }; // SubGraphMetadata
  return finish({ table: [str(name), undefined, undefined, { node: { vector: [subgraph] } }, undefined, undefined, undefined, str('1.0.0')] }, 'M001');
}

/** The position and vtable entries of the root table of a flatbuffer. */
function rootTable(bytes) {
  const root = bytes.readUInt32LE(0);
  const vtable = root - bytes.readInt32LE(root);
  const count = (bytes.readUInt16LE(vtable) - 4) / 2;
  const field = (id) => (id < count ? bytes.readUInt16LE(vtable + 4 + 2 * id) : 0);
  return { root, field };
}

/** The `.tflite` bytes with `metadata` added under the name TFLITE_METADATA. */
function withMetadata(tflite, metadata) {
  const model = Buffer.from(tflite);
  if (model.subarray(4, 8).toString('ascii') !== 'TFL3') throw new Error('not a TFLite model');
  const { root, field } = rootTable(model);
  const target = (id) => root + field(id) + model.readUInt32LE(root + field(id));
  const tables = (id) => {
    if (!field(id)) return [];
    const v = target(id);
    return Array.from({ length: model.readUInt32LE(v) }, (_, i) => ({ external: v + 4 + 4 * i + model.readUInt32LE(v + 4 + 4 * i) }));
  };
  const buffers = tables(4);
  const entries = tables(6);
  const newBuffer = { table: [{ node: { bytes: metadata, align: 16 } }] }; // Buffer { data }
  const entry = { table: [str('TFLITE_METADATA'), { u32: buffers.length }] }; // Metadata { name, buffer }
  // Model: version, operator_codes, subgraphs, description, buffers, metadata_buffer, metadata, signature_defs
  const fields = Array.from({ length: 8 }, (_, id) => {
    if (id === 4) return { node: { vector: [...buffers, newBuffer] } };
    if (id === 6) return { node: { vector: [...entries, entry] } };
    if (!field(id)) return undefined;
    if (id === 0) return { u32: model.readUInt32LE(root + field(0)) };
    return { external: target(id) };
  });
  const w = new ForwardWriter();
  w.u32(0);
  w.raw(Buffer.from('TFL3', 'ascii'));
  w.patch(0, w.write({ table: fields }));
  w.pad(16);
  const shift = w.len;
  for (const [at, abs] of w.external) w.patch(at, abs + shift);
  return Buffer.concat([w.buf.subarray(0, shift), model]);
}

module.exports = { imageModelMetadata, withMetadata };
