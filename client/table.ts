/**
 * Plain-text tables for the terminal, one line at a time: a live view prints its lines as they come,
 * so its columns have fixed widths rather than widths measured over every row.
 */

export interface Column {
  /** Cells are padded to this width, a longer cell pushing the rest of its line right; without one, not padded. */
  width?: number;
  /** Figures line up on the right. */
  align?: 'right';
  /** What sets the column apart from the one before, when not the table's separator: a free-text detail reads better with room. */
  gap?: string;
}

/** One line of a table: each cell padded to its column, the cells joined by `separator`; no trailing blanks. */
export function tableLine(columns: readonly Column[], cells: readonly string[], separator = ' '): string {
  return cells
    .map((cell, i) => {
      const { width = 0, align, gap = separator } = columns[i] ?? {};
      return `${i ? gap : ''}${align === 'right' ? cell.padStart(width) : cell.padEnd(width)}`;
    })
    .join('')
    .trimEnd();
}

/** Columns as wide as their widest cell, for a table printed whole. */
export function fittedColumns(rows: readonly (readonly string[])[]): { width: number }[] {
  const count = Math.max(0, ...rows.map((row) => row.length));
  return Array.from({ length: count }, (_, i) => ({ width: Math.max(...rows.map((row) => row[i]?.length ?? 0)) }));
}
