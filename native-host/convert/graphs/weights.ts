/** A float32 weight as the graph builders consume it: contiguous row-major values and their shape. */
export interface Weight {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/** Where graph builders take their weights from, by official state-dict name. Records what was used. */
export class WeightSource {
  readonly used = new Set<string>();

  constructor(private readonly lookup: (name: string) => Weight | undefined) {}

  get(name: string): Weight {
    const w = this.lookup(name);
    if (!w) throw new Error(`weight ${name} is missing`);
    this.used.add(name);
    return w;
  }

  has(name: string): boolean {
    return this.lookup(name) !== undefined;
  }
}
