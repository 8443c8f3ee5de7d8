/** A Markdown table row; an empty cell stays empty. */
export const row = (cells: readonly string[]) => `|${cells.map((cell) => (cell ? ` ${cell} |` : ' |')).join('')}`;

// JSON turns NaN into null, so a figure read back from a file may be null as well as absent.
export const isNumber = (value: number | null | undefined): value is number =>
  typeof value === 'number' && Number.isFinite(value);
