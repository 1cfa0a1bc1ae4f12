/** Splits a byte stream into lines (NDJSON watch streams), whatever the chunk boundaries. */
export class LineSplitter {
  private readonly decoder = new TextDecoder();
  private pending = '';

  push(chunk: Uint8Array): string[] {
    this.pending += this.decoder.decode(chunk, { stream: true });
    const lines = this.pending.split('\n');
    this.pending = lines.pop() ?? '';
    return lines.map((line) => line.replace(/\r$/, '')).filter((line) => line.trim() !== '');
  }

  /** The last line, when the stream did not end with a newline. */
  flush(): string[] {
    this.pending += this.decoder.decode();
    const rest = this.pending.trim();
    this.pending = '';
    return rest === '' ? [] : [rest];
  }
}
