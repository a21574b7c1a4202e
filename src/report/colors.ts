// Terminal colours: picocolors when enabled, identity functions otherwise. Every terminal renderer takes a Colors.
import pc from 'picocolors';

export interface Colors {
  bold: (s: string) => string;
  dim: (s: string) => string;
  red: (s: string) => string;
  yellow: (s: string) => string;
  green: (s: string) => string;
  cyan: (s: string) => string;
  magenta: (s: string) => string;
}
const id = (s: string): string => s;
export const NO_COLORS: Colors = { bold: id, dim: id, red: id, yellow: id, green: id, cyan: id, magenta: id };
export const colorsFor = (enabled: boolean): Colors => (enabled ? pc.createColors(true) : NO_COLORS);
