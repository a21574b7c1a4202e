// The one writer: a membench document as the text written to a file or stdout (two-space JSON, a final newline).
// Files are written whole through the atomic writer: writeDocument in src/store/atomic.ts.
import type { MembenchDocument } from './read.js';

export const documentText = (doc: MembenchDocument['doc']): string => `${JSON.stringify(doc, null, 2)}\n`;
