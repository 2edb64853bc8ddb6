/**
 * A minimal protobuf encoder for writing ONNX models. Messages are built as lists of byte chunks so that
 * large tensor payloads (raw_data) are referenced, never copied, until the model is written out.
 */
export class ProtoWriter {
  readonly chunks: Uint8Array[] = [];
  length = 0;
  private scratch = new Uint8Array(256);
  private used = 0;

  private pushByte(b: number): void {
    if (this.used === this.scratch.length) this.flushScratch();
    this.scratch[this.used++] = b;
    this.length++;
  }

  private flushScratch(): void {
    if (this.used === 0) return;
    this.chunks.push(this.scratch.slice(0, this.used));
    this.scratch = new Uint8Array(Math.min(65536, this.scratch.length * 2));
    this.used = 0;
  }

  /** Unsigned varint; negative int64 values are written as 10-byte two's complement, as protobuf requires. */
  varint(value: number | bigint): this {
    let v = BigInt.asUintN(64, BigInt(value));
    while (v >= 0x80n) {
      this.pushByte(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.pushByte(Number(v));
    return this;
  }

  private tag(field: number, wireType: 0 | 2 | 5): this {
    return this.varint((field << 3) | wireType);
  }

  int(field: number, value: number | bigint): this {
    return this.tag(field, 0).varint(value);
  }

  float(field: number, value: number): this {
    this.tag(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    for (const x of b) this.pushByte(x);
    return this;
  }

  bytes(field: number, data: Uint8Array): this {
    this.tag(field, 2).varint(data.length);
    if (data.length <= 64) {
      for (const x of data) this.pushByte(x);
    } else {
      this.flushScratch();
      this.chunks.push(data);
      this.length += data.length;
    }
    return this;
  }

  string(field: number, s: string): this {
    return this.bytes(field, new TextEncoder().encode(s));
  }

  /** An embedded message, built by `build` into its own writer and spliced in with its length prefix. */
  message(field: number, build: (w: ProtoWriter) => void): this {
    const inner = new ProtoWriter();
    build(inner);
    inner.flushScratch();
    this.tag(field, 2).varint(inner.length);
    this.flushScratch();
    this.chunks.push(...inner.chunks);
    this.length += inner.length;
    return this;
  }

  /** All chunks, the scratch buffer flushed. */
  finish(): Uint8Array[] {
    this.flushScratch();
    return this.chunks;
  }
}
