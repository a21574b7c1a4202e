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

export interface ColorAsk {
  /** --color / --no-color; commands without the flag leave it out. */
  readonly flag?: boolean;
  /** The stream written is a terminal (or colour is forced, as with run --style color). */
  readonly tty: boolean;
  /** The environment read for NO_COLOR (the CLI hands in process.env). */
  readonly env: NodeJS.ProcessEnv;
}

/** Whether to colour: the flag not off, NO_COLOR unset or empty (no-color.org), and a terminal to colour. */
export const colorWanted = (a: ColorAsk): boolean => (a.flag ?? true) && (a.env.NO_COLOR ?? '') === '' && a.tty;
