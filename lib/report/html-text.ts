/** Text put into the dashboard's HTML: every string from a view may come from a bucket key, so none goes in raw. */

const HTML_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for an element's content or a quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/**
 * JSON that is safe inside `<script type="application/json">`: `<` (and `>`, `&`) written as `\u003c` so no
 * string can close the script or open a comment; U+2028/2029 too, so it stays valid if ever read as JavaScript.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A base64 `data:` image, the only thing an `<img src>` on the page may hold (the CSP would block anything else). */
export function isDataImage(src: string): boolean {
  return /^data:image\/(?:jpeg|png|webp|gif|avif);base64,[A-Za-z0-9+/]+=*$/.test(src);
}
