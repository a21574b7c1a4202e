// The shell every self-contained HTML page shares: doctype, <head> (charset, viewport, generator, title, no
// favicon fetch, inline styles), <main> with the page's body and the self-contained footer, then any scripts.
import { escapeHtml } from './html-escape.js';

/** Code inside <script> or <style>: a literal "</script" or "</style" would end the element early. */
export function inlineSafe(code: string): string {
  return code.replace(/<\/(script|style)/gi, '<\\/$1');
}

export interface PageParts {
  readonly title: string;
  readonly toolVersion: string;
  /** stylesheets, each inlined as its own <style> element */
  readonly styles: readonly string[];
  /** HTML inside <main>, before the footer */
  readonly main: string;
  /** HTML of the footer after "… it loads nothing from the network" (e.g. ". Plots by …") */
  readonly footerTail: string;
  /** HTML after </main> (the data and script elements), empty for a page without script */
  readonly scripts?: string;
}

export function pageShell(p: PageParts): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="membench ${escapeHtml(p.toolVersion)}">
<title>${escapeHtml(p.title)}</title>
<link rel="icon" href="data:,">
${p.styles.map((css) => `<style>${inlineSafe(css)}</style>`).join('\n')}
</head>
<body>
<main>
${p.main}
<footer>Made by membench ${escapeHtml(p.toolVersion)}. This page is self-contained: it loads nothing from the network${p.footerTail}</footer>
</main>
${p.scripts ? `${p.scripts}\n` : ''}</body>
</html>
`;
}
