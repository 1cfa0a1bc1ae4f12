import type { KubeObject } from '../client/api.types';
import type { ResourceKind } from '../resources/resource-kinds';
import { sortForTable, TableOptions, tableHeader, tableRow } from './resource-tables';
import { formatTable, TABLE_LAYOUT } from './tab-writer';

/**
 * Prints one kind's table; later rows (watch) keep the columns at least as wide as before,
 * like kubectl's tabwriter with RememberWidths.
 */
export class TablePrinter {
  private readonly remembered: number[] = [];
  private headerPrinted = false;

  constructor(
    private readonly kind: ResourceKind,
    private readonly options: TableOptions,
  ) {}

  /** The rows (and the header, the first time) as text. */
  render(objects: readonly KubeObject[], now: number = this.options.now): string {
    const options = { ...this.options, now };
    const rows = sortForTable(this.kind, objects).map((object) => tableRow(this.kind, object, options));
    if (!this.headerPrinted) {
      rows.unshift(tableHeader(this.kind, options));
      this.headerPrinted = true;
    }
    return formatTable(rows, { ...TABLE_LAYOUT, remembered: this.remembered });
  }
}
