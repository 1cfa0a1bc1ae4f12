/** Groups log lines into chunks bounded in lines and bytes, so one NATS message never grows too big. */
export class LineBatcher {
  private lines: string[] = [];
  private bytes = 0;

  constructor(
    private readonly maxLines: number,
    private readonly maxBytes: number,
  ) {}

  get pending(): number {
    return this.lines.length;
  }

  /** Adds a line; returns a full batch when this line would overflow the current one. */
  add(line: string): string[] | undefined {
    const size = Buffer.byteLength(line) + 8;
    let full: string[] | undefined;
    if (this.lines.length && (this.lines.length >= this.maxLines || this.bytes + size > this.maxBytes)) full = this.drain();
    // A single line longer than a chunk is cut to fit.
    this.lines.push(size > this.maxBytes ? truncate(line, this.maxBytes - 8) : line);
    this.bytes += Math.min(size, this.maxBytes);
    return full;
  }

  drain(): string[] {
    const lines = this.lines;
    this.lines = [];
    this.bytes = 0;
    return lines;
  }
}

function truncate(line: string, bytes: number): string {
  const buffer = Buffer.from(line).subarray(0, Math.max(0, bytes));
  // Drop a multi-byte character cut in half.
  return buffer.toString('utf8').replace(/\uFFFD$/, '');
}
