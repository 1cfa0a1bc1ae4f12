import { OUTPUT_FORMATS, OutputFormat } from '../output/object.format';
import { CliError } from './cli.errors';

/** -o value -> format; absent means the default table. */
export function parseOutputFormat(value: string | undefined): OutputFormat {
  if (value === undefined || value === '') return 'table';
  if ((OUTPUT_FORMATS as readonly string[]).includes(value)) return value as OutputFormat;
  throw new CliError(`unable to match a printer suitable for the output format "${value}", allowed formats are: ${OUTPUT_FORMATS.join(',')}`);
}
