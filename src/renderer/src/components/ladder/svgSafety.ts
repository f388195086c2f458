/**
 * The gate before a ladder SVG goes into the page with v-html. The picture comes from our own
 * lab, so this is defence in depth: a bug (or a crafted capture label that escaped escaping)
 * must not become script in the renderer. Anything that is not a plain <svg> document without
 * <script>, event-handler attributes, javascript: URLs or <foreignObject> is refused whole.
 */

const SCRIPT_TAG = /<\s*script\b/i;
/** An attribute whose name starts with "on" (onclick=, onload = …) inside one tag. */
const EVENT_ATTRIBUTE = /[\s"'/]on[a-z0-9_:-]*\s*=/i;
/** Tags only: text such as "Seq=1 on=…" in a label is not an attribute. */
const TAG = /<[^>]*>/g;
const SCRIPT_URL = /(?:java|vb)script\s*:/i;
const FOREIGN_OBJECT = /<\s*foreignObject\b/i;

/** True when `svg` may be inserted as markup: it starts with <svg and carries no active content. */
export function isSafeSvg(svg: string): boolean {
  const text = svg.trimStart().replace(/^<\?xml[^>]*\?>\s*/i, '');
  if (!/^<svg[\s>]/i.test(text)) return false;
  return !SCRIPT_TAG.test(text) && !hasEventAttribute(text) && !SCRIPT_URL.test(text) && !FOREIGN_OBJECT.test(text);
}

function hasEventAttribute(text: string): boolean {
  for (const tag of text.match(TAG) ?? []) if (EVENT_ATTRIBUTE.test(tag)) return true;
  return false;
}
