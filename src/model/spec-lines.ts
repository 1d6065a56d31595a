/**
 * The line of a spec file where a dotted path (`broken.rules[0].severity`) is written, so a diagnostic can
 * point at it. A small scanner over object and array literals, not a TypeScript parser: it follows the path
 * while the spec is written inline and stops at the deepest part it can see (for a value built elsewhere,
 * the line where it is used).
 */

const IDENTIFIER = /[A-Za-z0-9_$]/;

/** Index after the whitespace and comments at `i`. */
function skipTrivia(text: string, i: number): number {
  for (;;) {
    if (/\s/.test(text[i] ?? '')) i++;
    else if (text.startsWith('//', i)) i = text.indexOf('\n', i) === -1 ? text.length : text.indexOf('\n', i);
    else if (text.startsWith('/*', i)) i = text.indexOf('*/', i) === -1 ? text.length : text.indexOf('*/', i) + 2;
    else return i;
  }
}

/** Index after the string literal opening at `i`. */
function skipString(text: string, i: number): number {
  const quote = text[i];
  for (let j = i + 1; j < text.length; j++) {
    if (text[j] === '\\') j++;
    else if (text[j] === quote) return j + 1;
  }
  return text.length;
}

function skipTemplate(text: string, i: number): number {
  for (let j = i + 1; j < text.length; j++) {
    if (text[j] === '\\') j++;
    else if (text[j] === '`') return j + 1;
    else if (text[j] === '$' && text[j + 1] === '{') j = skipBracketed(text, j + 1) - 1;
  }
  return text.length;
}

/** Index after what starts at `i` when it is a string, template or comment; `i` itself otherwise. */
function skipOpaque(text: string, i: number): number {
  const c = text[i];
  if (c === "'" || c === '"') return skipString(text, i);
  if (c === '`') return skipTemplate(text, i);
  if (text.startsWith('//', i) || text.startsWith('/*', i)) return skipTrivia(text, i);
  return i;
}

/** Index after the bracket that closes the one at `i`. */
function skipBracketed(text: string, i: number): number {
  let depth = 0;
  for (let j = i; j < text.length; ) {
    const after = skipOpaque(text, j);
    if (after !== j) {
      j = after;
      continue;
    }
    const c = text[j]!;
    if ('{[('.includes(c)) depth++;
    else if ('}])'.includes(c) && --depth === 0) return j + 1;
    j++;
  }
  return text.length;
}

/** Where each entry of the object or array literal opening at `open` starts. */
function entryStarts(text: string, open: number): number[] {
  const starts: number[] = [];
  let j = open + 1;
  for (;;) {
    j = skipTrivia(text, j);
    if (j >= text.length || '}])'.includes(text[j]!)) return starts;
    starts.push(j);
    for (;;) {
      if (j >= text.length) return starts;
      const after = skipOpaque(text, j);
      if (after !== j) {
        j = after;
        continue;
      }
      const c = text[j]!;
      if ('{[('.includes(c)) j = skipBracketed(text, j);
      else if (c === ',') {
        j++;
        break;
      } else if ('}])'.includes(c)) return starts;
      else j++;
    }
  }
}

/** The key of an object entry and where its value starts (undefined for shorthand, spread or computed keys). */
function entryKey(text: string, start: number): { key?: string; value?: number } {
  let key: string | undefined;
  let end = start;
  const c = text[start] ?? '';
  if (c === "'" || c === '"') {
    end = skipString(text, start);
    key = text.slice(start + 1, end - 1);
  } else if (IDENTIFIER.test(c)) {
    while (IDENTIFIER.test(text[end] ?? '')) end++;
    key = text.slice(start, end);
  } else return {};
  const colon = skipTrivia(text, end);
  return text[colon] === ':' ? { key, value: skipTrivia(text, colon + 1) } : { key };
}

/** The literal a value is written as: itself, or the first argument of a call such as `defineRuleGroup({...})`. */
function literalAt(text: string, i: number): number | undefined {
  for (let hops = 0; hops < 4; hops++) {
    i = skipTrivia(text, i);
    const c = text[i] ?? '';
    if (c === '{' || c === '[') return i;
    if (c === '(') {
      i++;
      continue;
    }
    if (!IDENTIFIER.test(c)) return undefined;
    while (/[A-Za-z0-9_$.]/.test(text[i] ?? '')) i++;
    i = skipTrivia(text, i);
    if (text[i] !== '(') return undefined;
    i++;
  }
  return undefined;
}

function lineAt(text: string, index: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/** The text with comments and string contents blanked (lengths and line breaks kept), to search code only. */
export function codeOnly(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; ) {
    const after = skipOpaque(text, i);
    if (after === i) out += text[i++];
    else {
      out += text.slice(i, after).replace(/[^\n]/g, ' ');
      i = after;
    }
  }
  return out;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `broken.rules[0].severity` → ['broken', 'rules', 0, 'severity']. */
export function pathParts(dotted: string): Array<string | number> {
  return [...dotted.matchAll(/\[(\d+)\]|([^.[\]]+)/g)].map((m) => (m[1] !== undefined ? Number(m[1]) : m[2]!));
}

/** The line `path` (its first part the exported name) is written on, as deep as it can be followed. */
export function lineOfPath(text: string, path: ReadonlyArray<string | number>): number | undefined {
  const [root, ...rest] = path;
  if (typeof root !== 'string') return undefined;
  const declaration = new RegExp(`\\b(?:const|let|var)\\s+${escapeRegExp(root)}\\b[^=;]*=`).exec(codeOnly(text));
  if (!declaration) return undefined;
  let line = lineAt(text, declaration.index);
  let node = literalAt(text, declaration.index + declaration[0].length);
  for (const part of rest) {
    if (node === undefined) break;
    const starts = entryStarts(text, node);
    let valueStart: number | undefined;
    if (text[node] === '{' && typeof part === 'string') {
      const entry = starts.map((s) => ({ s, ...entryKey(text, s) })).find((e) => e.key === part);
      if (!entry) break;
      line = lineAt(text, entry.s);
      valueStart = entry.value;
    } else if (text[node] === '[' && typeof part === 'number') {
      // A spread before the element shifts the indices; the position cannot be told from the text.
      if (starts.slice(0, part + 1).some((s) => text.startsWith('...', s)) || part >= starts.length) break;
      line = lineAt(text, starts[part]!);
      valueStart = starts[part];
    } else break;
    node = valueStart === undefined ? undefined : literalAt(text, valueStart);
  }
  return line;
}
