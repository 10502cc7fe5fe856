// Append-only typed arrays: compact per-record signatures for the pipeline's barriers.

class Growable<A extends Float64Array | Uint32Array | Uint8Array> {
  private data: A;
  length = 0;

  constructor(private readonly create: (length: number) => A) {
    this.data = create(1024);
  }

  push(value: number): void {
    if (this.length === this.data.length) {
      const next = this.create(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = value;
  }

  get(index: number): number {
    return this.data[index]!;
  }

  set(index: number, value: number): void {
    this.data[index] = value;
  }

  view(): A {
    return this.data.subarray(0, this.length) as A;
  }
}

export class GrowableFloat64 extends Growable<Float64Array> {
  constructor() {
    super((length) => new Float64Array(length));
  }
}

export class GrowableUint32 extends Growable<Uint32Array> {
  constructor() {
    super((length) => new Uint32Array(length));
  }
}

export class GrowableUint8 extends Growable<Uint8Array> {
  constructor() {
    super((length) => new Uint8Array(length));
  }
}
