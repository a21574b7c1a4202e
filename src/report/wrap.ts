// Prose for an 80-column terminal: words wrapped with a hanging indent. ANSI colour codes take no columns.

const ANSI = /\x1b\[[0-9;]*m/g;
export const visibleLength = (s: string): number => s.replace(ANSI, '').length;

/**
 * Wraps `text` (which may start with spaces and hold colour codes) at `width` columns: the first line keeps its own
 * indentation, the others start with `hang` spaces. A word longer than a line is left whole on a line of its own.
 */
export function wrap(text: string, width = 80, hang = 4): string[] {
  if (visibleLength(text) <= width) return [text];
  const lead = /^ */.exec(text)![0];
  const words = text.slice(lead.length).split(' ');
  const lines: string[] = [];
  let line = lead;
  let empty = true;
  for (const w of words) {
    const candidate = empty ? line + w : `${line} ${w}`;
    if (!empty && visibleLength(candidate) > width) {
      lines.push(line);
      line = ' '.repeat(hang) + w;
    } else line = candidate;
    empty = false;
  }
  lines.push(line);
  return lines;
}

/** Every line of `lines` wrapped (see wrap). */
export const wrapAll = (lines: readonly string[], width = 80, hang = 4): string[] => lines.flatMap((l) => wrap(l, width, hang));
