/**
 * Go's text/tabwriter, which kubectl prints its tables and `describe` with: cells end with a
 * tab, the last cell of a line is not aligned, and a column is aligned over each block of
 * consecutive lines that have a cell in it (so a line without tabs ends every block).
 */
export interface TabWriterOptions {
  /** Minimal width of an aligned cell, padding included. */
  minWidth: number;
  /** Spaces added to the widest cell of a column. */
  padding: number;
  /** Widths seen by earlier calls (tabwriter.RememberWidths): columns never shrink, used by watch. */
  remembered?: number[];
}

/** kubectl's table printer: minwidth 6, padding 3. */
export const TABLE_LAYOUT: TabWriterOptions = { minWidth: 6, padding: 3 };
/** kubectl describe: minwidth 0, padding 2. */
export const DESCRIBE_LAYOUT: TabWriterOptions = { minWidth: 0, padding: 2 };

const displayWidth = (text: string): number => [...text].length;

export function formatTabbed(text: string, options: TabWriterOptions): string {
  const lines = text.split('\n').map((line) => line.split('\t'));
  const widths: number[][] = lines.map(() => []);

  const format = (line0: number, line1: number, column: number): void => {
    for (let start = line0; start < line1; start++) {
      if (column >= lines[start].length - 1) continue;
      let end = start;
      let width = options.minWidth;
      for (; end < line1 && column < lines[end].length - 1; end++) {
        width = Math.max(width, displayWidth(lines[end][column]) + options.padding);
      }
      if (options.remembered) {
        width = Math.max(width, options.remembered[column] ?? 0);
        options.remembered[column] = width;
      }
      for (let i = start; i < end; i++) widths[i][column] = width;
      format(start, end, column + 1);
      start = end - 1;
    }
  };
  format(0, lines.length, 0);

  return lines
    .map((cells, i) =>
      cells.map((cell, c) => (c < cells.length - 1 ? cell + ' '.repeat(Math.max(0, widths[i][c] - displayWidth(cell))) : cell)).join(''),
    )
    .join('\n');
}

/** Rows of cells -> aligned table text ending with a newline; the last column is not padded. */
export function formatTable(rows: readonly (readonly string[])[], options: TabWriterOptions = TABLE_LAYOUT): string {
  if (rows.length === 0) return '';
  return formatTabbed(rows.map((row) => row.join('\t')).join('\n'), options) + '\n';
}
