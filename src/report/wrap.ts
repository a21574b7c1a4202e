// Prose for an 80-column terminal: words wrapped with a hanging indent. ANSI colour codes take no columns.

const CODE = '\\x1b\\[[0-9;]*m';
const ANSI = new RegExp(CODE, 'g');
/** Where a line of figures may break: before " · ", or before a "   [" note (not between a colour code and its text). */
const PART_BREAK = new RegExp(`(?= · )|(?<!${CODE})(?=(?:${CODE})* {3}(?:${CODE})*\\[)`);
/** The separator a continuation line drops, after any colour codes that open it. */
const PART_LEAD = new RegExp(`^((?:${CODE})*)(?: · | {3})`);
export const visibleLength = (s: string): number => s.replace(ANSI, '').length;

/**
 * Wraps `text` (which may start with spaces and hold colour codes) at `width` columns: the first line keeps its own
 * indentation, the others start with `hang` spaces. A word longer than a line is left whole on a line of its own.
 */
export function wrap(text: string, width = 80, hang = 4): string[] {
  if (visibleLength(text) <= width) return [text];
  const lead = /^ */.exec(text)![0];
  const bySegment = wrapSegments(text, lead, width, hang);
  if (bySegment) return bySegment;
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

/**
 * A line of figures breaks first between its parts — before " · " (dropped at the break) and before a "   [" note —
 * so that no figure is cut from its unit or its ± (11.2 MiB ± 70.7 KiB stays whole). Null when there is no such
 * break, or a part alone is too long for a line: then the words wrap.
 */
function wrapSegments(text: string, lead: string, width: number, hang: number): string[] | null {
  const parts = text.slice(lead.length).split(PART_BREAK);
  if (parts.length < 2) return null;
  const lines: string[] = [];
  let line = lead + parts[0]!;
  for (const part of parts.slice(1)) {
    if (visibleLength(line + part) <= width) {
      line += part;
      continue;
    }
    lines.push(line);
    line = ' '.repeat(hang) + part.replace(PART_LEAD, '$1');
  }
  lines.push(line);
  return lines.every((l) => visibleLength(l) <= width) ? lines : null;
}

/** Every line of `lines` wrapped (see wrap). */
export const wrapAll = (lines: readonly string[], width = 80, hang = 4): string[] => lines.flatMap((l) => wrap(l, width, hang));
