import { csvCell, csvPercent, toCsv } from './csv';

describe('CSV cells and documents (RFC 4180, formula-safe)', () => {
  it('should quote cells with commas, quotes and line breaks, doubling the quotes', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('Acme, Inc.')).toBe('"Acme, Inc."');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell(null)).toBe('');
    expect(csvCell(undefined)).toBe('');
  });

  it('should defuse texts a spreadsheet would run as a formula, and leave numbers alone', () => {
    for (const text of ['=1+1', '+1', '-1', '@SUM(A1)', '\tx', '\rx']) {
      expect(csvCell(text).replace(/^"/, '')).toMatch(/^'/);
    }
    expect(csvCell('=HYPERLINK("http://x","y")')).toBe('"\'=HYPERLINK(""http://x"",""y"")"');
    expect(csvCell(-5)).toBe('-5');
    expect(csvCell(0.5)).toBe('0.5');
    expect(csvCell(Number.NaN)).toBe('');
  });

  it('should write a header and rows with CRLF line ends, and percentages with one decimal', () => {
    expect(toCsv(['a', 'b'], [[1, 'x,y'], [null, '=z']])).toBe('a,b\r\n1,"x,y"\r\n,\'=z\r\n');
    expect([csvPercent(2 / 3), csvPercent(0.65), csvPercent(null)]).toEqual([66.7, 65, null]);
  });
});
