import type { KubeObject } from '../client/api.types';
import type { ResourceKind } from '../resources/resource-kinds';
import { sortForTable, TableOptions, tableHeader, tableRow } from './resource-tables';
import { formatTable, TABLE_LAYOUT } from './tab-writer';

export interface TablePrinterOptions extends TableOptions {
  /** `get -w --output-watch-events`: an EVENT column first (ADDED, MODIFIED, DELETED). */
  eventColumn?: boolean;
}

/**
 * Prints one kind's table; later rows (watch) keep the columns at least as wide as before,
 * like kubectl's tabwriter with RememberWidths.
 */
export class TablePrinter {
  private readonly remembered: number[] = [];
  private headerPrinted = false;

  constructor(
    private readonly kind: ResourceKind,
    private readonly options: TablePrinterOptions,
  ) {}

  /** The rows (and the header, the first time) as text; `eventType` fills the EVENT column. */
  render(objects: readonly KubeObject[], now: number = this.options.now, eventType = 'ADDED'): string {
    const options = { ...this.options, now };
    const event = this.options.eventColumn ? [eventType] : [];
    const rows = sortForTable(this.kind, objects).map((object) => [...event, ...tableRow(this.kind, object, options)]);
    if (!this.headerPrinted) {
      rows.unshift([...(this.options.eventColumn ? ['EVENT'] : []), ...tableHeader(this.kind, options)]);
      this.headerPrinted = true;
    }
    return formatTable(rows, { ...TABLE_LAYOUT, remembered: this.remembered });
  }
}
