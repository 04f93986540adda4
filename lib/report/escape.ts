/**
 * Everything that reaches the report's markup goes through here. Model, variant and node names
 * come from files the user dropped (or someone sent them), so they are treated as hostile.
 */

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Safe in text and in quoted attribute values, in HTML and in inline SVG alike. */
export function esc(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/**
 * JSON for a `<script type="application/json">` element. Its content is raw text that only
 * `</script` can end, so `<` (and, for old parsers, `>` `&` and the JS line separators) become
 * \u escapes, which JSON.parse turns back into the same characters.
 */
export function jsonForScript(value: unknown, replacer?: (key: string, v: unknown) => unknown): string {
  return JSON.stringify(value, replacer as (this: unknown, key: string, v: unknown) => unknown)
    .replace(/[<>&\u2028\u2029]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

/** Characters that would break an `id` or a CSS class built from a variant id. */
export function slug(value: string): string {
  return value.replace(/[^A-Za-z0-9_-]/g, '_');
}
