/**
 * Do two globs (or a glob and a path) match a common path? Decided on the globs
 * themselves: each compiles to a token sequence, and a memoised search over pairs of
 * positions looks for one string both accept (the product of the two automata).
 * `picomatch` and `minimatch` test a path against a glob; none answers glob against glob.
 *
 * Syntax: `*` (any run without `/`), `**` (any run, `/` included; `a/**\/b` also matches
 * `a/b`), `?` (one character but `/`), `[abc]`, `[a-z]`, `[!x]` / `[^x]` (one character
 * but `/`), `{a,b}` (alternatives), `\x` (a literal x); everything else is literal.
 */

type CharToken =
  | { kind: 'lit'; char: string }
  | { kind: 'any' } // ?
  | { kind: 'class'; ranges: Array<[number, number]>; negated: boolean };

type Token =
  | CharToken
  | { kind: 'star' }
  /** `dirSkip`: the `**` of `**\/`, which may also match nothing together with its `/`. */
  | { kind: 'globstar'; dirSkip: boolean };

const SLASH = '/'.charCodeAt(0);

/** A path or glob as claims store it: relative, `/`-separated, without `./` or a trailing `/`. */
export function normalizeGlob(glob: string): string {
  let text = glob.trim().replace(/\\(?![*?[\]{}\\!^])/g, '/');
  while (text.startsWith('./')) text = text.slice(2);
  text = text.replace(/\/{2,}/g, '/');
  if (text.endsWith('/')) text = `${text}**`; // a folder claims what is inside it
  return text;
}

export function globsOverlap(a: string, b: string): boolean {
  for (const left of expandBraces(normalizeGlob(a))) {
    for (const right of expandBraces(normalizeGlob(b))) {
      if (sequencesOverlap(tokenize(left), tokenize(right))) return true;
    }
  }
  return false;
}

/** Does `path` (a plain path) fall under `glob`? */
export function globMatches(glob: string, path: string): boolean {
  return globsOverlap(glob, escapeGlob(path));
}

export function escapeGlob(path: string): string {
  return path.replace(/[*?[\]{}\\]/g, (char) => `\\${char}`);
}

/** `{a,b}c` → `ac`, `bc` (nested braces too); an unmatched `{` stays literal. */
export function expandBraces(glob: string): string[] {
  const open = findUnescaped(glob, '{', 0);
  if (open < 0) return [glob];
  let depth = 0;
  const cuts: number[] = [];
  for (let index = open; index < glob.length; index++) {
    const char = glob[index];
    if (char === '\\') {
      index++;
      continue;
    }
    if (char === '{') depth++;
    else if (char === '}' && --depth === 0) {
      const parts: string[] = [];
      let start = open + 1;
      for (const cut of cuts) {
        parts.push(glob.slice(start, cut));
        start = cut + 1;
      }
      parts.push(glob.slice(start, index));
      const head = glob.slice(0, open);
      const tail = glob.slice(index + 1);
      return parts.flatMap((part) => expandBraces(`${head}${part}${tail}`));
    } else if (char === ',' && depth === 1) cuts.push(index);
  }
  return [`${glob.slice(0, open)}\\{${glob.slice(open + 1)}`].flatMap(expandBraces);
}

function findUnescaped(text: string, wanted: string, from: number): number {
  for (let index = from; index < text.length; index++) {
    if (text[index] === '\\') index++;
    else if (text[index] === wanted) return index;
  }
  return -1;
}

export function tokenize(glob: string): Token[] {
  const tokens: Token[] = [];
  for (let index = 0; index < glob.length; index++) {
    const char = glob[index]!;
    if (char === '\\' && index + 1 < glob.length) {
      tokens.push({ kind: 'lit', char: glob[++index]! });
    } else if (char === '*') {
      let end = index;
      while (glob[end + 1] === '*') end++;
      const atSegmentStart = index === 0 || glob[index - 1] === '/';
      const atSegmentEnd = end + 1 === glob.length || glob[end + 1] === '/';
      if (end > index && atSegmentStart && atSegmentEnd) {
        const dirSkip = glob[end + 1] === '/';
        tokens.push({ kind: 'globstar', dirSkip });
        if (dirSkip) tokens.push({ kind: 'lit', char: '/' });
        index = dirSkip ? end + 1 : end;
      } else {
        // `a**b` is two stars in one segment: the same as one.
        if (tokens.at(-1)?.kind !== 'star') tokens.push({ kind: 'star' });
        index = end;
      }
    } else if (char === '?') {
      tokens.push({ kind: 'any' });
    } else if (char === '[') {
      const parsed = parseClass(glob, index);
      if (parsed) {
        tokens.push(parsed.token);
        index = parsed.end;
      } else tokens.push({ kind: 'lit', char });
    } else tokens.push({ kind: 'lit', char });
  }
  return tokens;
}

function parseClass(glob: string, open: number): { token: CharToken; end: number } | undefined {
  let index = open + 1;
  const negated = glob[index] === '!' || glob[index] === '^';
  if (negated) index++;
  const ranges: Array<[number, number]> = [];
  let first = true;
  for (; index < glob.length; index++) {
    let char = glob[index]!;
    if (char === ']' && !first) return { token: { kind: 'class', ranges, negated }, end: index };
    first = false;
    if (char === '\\' && index + 1 < glob.length) char = glob[++index]!;
    const low = char.charCodeAt(0);
    if (glob[index + 1] === '-' && index + 2 < glob.length && glob[index + 2] !== ']') {
      let high = glob[index + 2]!;
      index += 2;
      if (high === '\\' && index + 1 < glob.length) high = glob[++index]!;
      ranges.push([low, high.charCodeAt(0)]);
    } else ranges.push([low, low]);
  }
  return undefined; // no closing `]`: the `[` is literal
}

/** Is there a character (never `/` for `?` and classes) both tokens accept? */
function charsMeet(a: CharToken | 'nonslash' | 'anychar', b: CharToken | 'nonslash' | 'anychar'): boolean {
  if (a === 'anychar' || b === 'anychar') return true;
  if (typeof a !== 'string' && a.kind === 'lit') return accepts(b, a.char.charCodeAt(0));
  if (typeof b !== 'string' && b.kind === 'lit') return accepts(a, b.char.charCodeAt(0));
  // Neither is a literal: both refuse only `/` (any, nonslash) or are classes.
  const classes = [a, b].filter(
    (token): token is Extract<CharToken, { kind: 'class' }> => typeof token !== 'string' && token.kind === 'class',
  );
  if (classes.length < 2) return classes.every((token) => someCharIn(token, () => true));
  const [x, y] = classes as [Extract<CharToken, { kind: 'class' }>, Extract<CharToken, { kind: 'class' }>];
  if (!x.negated) return someCharIn(x, (code) => accepts(y, code));
  if (!y.negated) return someCharIn(y, (code) => accepts(x, code));
  return true; // two negated classes leave most characters to both
}

function accepts(token: CharToken | 'nonslash' | 'anychar', code: number): boolean {
  if (token === 'anychar') return true;
  if (code === SLASH) return token !== 'nonslash' && token.kind === 'lit' && token.char === '/';
  if (token === 'nonslash') return true;
  if (token.kind === 'lit') return token.char.charCodeAt(0) === code;
  if (token.kind === 'any') return true;
  const inside = token.ranges.some(([low, high]) => code >= low && code <= high);
  return inside !== token.negated;
}

/** A character the class accepts for which `also` holds: tries each range's ends and the gaps negations leave. */
function someCharIn(token: Extract<CharToken, { kind: 'class' }>, also: (code: number) => boolean): boolean {
  if (token.negated) {
    const candidates = [0x61, 0x30, 0x5f, ...token.ranges.flatMap(([low, high]) => [low - 1, high + 1])];
    return candidates.some((code) => code > 0 && accepts(token, code) && also(code));
  }
  for (const [low, high] of token.ranges) {
    // Small ranges are tried whole; a wide one by its ends and middle is enough for classes of classes.
    if (high - low <= 256) {
      for (let code = low; code <= high; code++) if (code !== SLASH && also(code)) return true;
    } else if ([low, high, (low + high) >> 1].some((code) => code !== SLASH && also(code))) return true;
  }
  return false;
}

function loopChars(token: Token): 'nonslash' | 'anychar' | undefined {
  if (token.kind === 'star') return 'nonslash';
  if (token.kind === 'globstar') return 'anychar';
  return undefined;
}

/** Memoised search for a common string over (position in a, position in b). */
function sequencesOverlap(a: Token[], b: Token[]): boolean {
  const seen = new Map<number, boolean>();
  const width = b.length + 1;
  const visit = (i: number, j: number): boolean => {
    const key = i * width + j;
    const known = seen.get(key);
    if (known !== undefined) return known;
    seen.set(key, false); // every move below advances i or j: no cycles, this is only a guard
    const result = step(i, j);
    seen.set(key, result);
    return result;
  };
  const step = (i: number, j: number): boolean => {
    const x = a[i];
    const y = b[j];
    if (x === undefined && y === undefined) return true;
    const xLoop = x && loopChars(x);
    const yLoop = y && loopChars(y);
    // A loop may stop matching here (a `**/` may match nothing, its `/` included).
    if (xLoop && (visit(i + 1, j) || (x.kind === 'globstar' && x.dirSkip && visit(i + 2, j)))) return true;
    if (yLoop && (visit(i, j + 1) || (y.kind === 'globstar' && y.dirSkip && visit(i, j + 2)))) return true;
    if (x === undefined || y === undefined) return false;
    // One character for both: a loop stays, a single-character token moves on.
    if (xLoop && yLoop) return false; // both staying changes nothing; their exits are tried above
    if (xLoop) return charsMeet(xLoop, y as CharToken) && visit(i, j + 1);
    if (yLoop) return charsMeet(x as CharToken, yLoop) && visit(i + 1, j);
    return charsMeet(x as CharToken, y as CharToken) && visit(i + 1, j + 1);
  };
  return visit(0, 0);
}
