import { StreamableFile } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import type { Request } from 'express';

/** One CSV cell value: text, a number, or nothing (an empty cell). */
export type CsvValue = string | number | null | undefined;

/**
 * One cell of RFC 4180 CSV. A text that a spreadsheet would run as a formula (it begins with `=`, `+`,
 * `-`, `@`, a tab or a carriage return: OWASP "CSV injection") gets a leading apostrophe, so a learner
 * named `=HYPERLINK(…)` stays text; numbers are written as they are (a negative number is not a formula).
 * A cell holding a comma, a quote or a line break is quoted, with its quotes doubled.
 */
export function csvCell(v: CsvValue): string {
  if (v === null || v === undefined) {
    return '';
  }
  let s = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : v;
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) {
    s = `'${s}`;
  }
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A 0..1 fraction as a percentage with one decimal (a CSV's `…_percent` columns); null stays empty. */
export function csvPercent(v: number | null | undefined): number | null {
  return v === null || v === undefined ? null : Math.round(v * 1000) / 10;
}

/** A whole CSV document: a header row, then the rows; CRLF line ends (RFC 4180), a final CRLF. */
export function toCsv(head: readonly string[], rows: ReadonlyArray<readonly CsvValue[]>): string {
  return [head, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

/**
 * True when the client asked for CSV: `?format=csv`, or (without `format`) an `Accept` header that
 * prefers `text/csv` over JSON.
 */
export function wantsCsv(req: Request, format: 'json' | 'csv' | undefined): boolean {
  if (format) {
    return format === 'csv';
  }
  return req.accepts(['application/json', 'text/csv']) === 'text/csv';
}

/**
 * A CSV document as a download named `<filename>.csv`, UTF-8 with a byte order mark (so a spreadsheet
 * reads accented names right); a handler returns it instead of its JSON answer.
 */
export function csvFile(filename: string, csv: string): StreamableFile {
  const safe = filename.replace(/[^\w.-]+/g, '_').replace(/^_+|_+$/g, '') || 'report';
  return new StreamableFile(Buffer.from(`\uFEFF${csv}`, 'utf8'), { type: 'text/csv; charset=utf-8', disposition: `attachment; filename="${safe}.csv"` });
}

/** `?format=`: JSON (the default) or a CSV download of the same rows (docs/rest-api.md). */
export class FormatQuery {
  @ApiPropertyOptional({ enum: ['json', 'csv'], description: 'csv answers the same rows as a CSV download (so does "Accept: text/csv").' })
  @IsOptional()
  @IsIn(['json', 'csv'], { message: 'format must be json or csv' })
  format?: 'json' | 'csv';
}
