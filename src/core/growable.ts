// Append-only typed arrays: compact per-record signatures for the pipeline's barriers.

export class GrowableFloat64 {
  private data = new Float64Array(1024);
  length = 0;
  push(value: number): void {
    if (this.length === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
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
  view(): Float64Array {
    return this.data.subarray(0, this.length);
  }
}

export class GrowableUint32 {
  private data = new Uint32Array(1024);
  length = 0;
  push(value: number): void {
    if (this.length === this.data.length) {
      const next = new Uint32Array(this.data.length * 2);
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
  view(): Uint32Array {
    return this.data.subarray(0, this.length);
  }
}
