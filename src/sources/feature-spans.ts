/**
 * Where each feature's text lies in a FeatureCollection file, found without parsing it.
 *
 * Consecutive snapshots of a history repeat almost every feature byte for byte, so a reader that
 * knows where each feature's text starts and ends can recognise the ones it has seen (by the
 * bytes' SHA-1) and parse only the new ones. Parsing and re-serialising every feature of the
 * 631 MiB DeepStateMap history was most of an import's reading time.
 *
 * The scan follows JSON's strings and nesting only as far as it needs: between braces and quotes
 * it jumps with Buffer.indexOf, so coordinate arrays are passed over natively. It answers only
 * for the common layout — an object whose one "features" member is an array of objects — and
 * returns undefined for anything else (or anything malformed), which the caller then parses whole
 * and reports as before.
 */

const QUOTE = 0x22, BACKSLASH = 0x5c, OPEN_BRACE = 0x7b, CLOSE_BRACE = 0x7d, OPEN_BRACKET = 0x5b, CLOSE_BRACKET = 0x5d, COLON = 0x3a, COMMA = 0x2c;

const isSpace = (c: number | undefined): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

export interface FeatureSpans {
  /** Byte offsets of the features array's `[` and of the byte after its `]`. */
  arrayStart: number;
  arrayEnd: number;
  /** Start and end (exclusive) of each element, in pairs. */
  spans: number[];
}

/** The index of the quote closing the string opened at `open`, or -1. */
function closeString(b: Buffer, open: number): number {
  let q = open;
  for (;;) {
    q = b.indexOf(QUOTE, q + 1);
    if (q < 0) return -1;
    let k = q - 1;
    while (b[k] === BACKSLASH) k--;
    if ((q - 1 - k) % 2 === 0) return q; // an even run of backslashes escapes only itself
  }
}

function skipSpace(b: Buffer, i: number): number {
  while (isSpace(b[i])) i++;
  return i;
}

/**
 * Scans the members of the top-level object from `i` until the "features" array or the end.
 * Returns the offset of the array's `[` (or -1 when there is none), or undefined when the text
 * is malformed or holds "features" at the top level more than once.
 */
function scanMembers(b: Buffer, i: number, depth: number, seenFeatures: boolean): { at: number; depth: number } | undefined {
  while (i < b.length) {
    const c = b[i]!;
    if (c === QUOTE) {
      const end = closeString(b, i);
      if (end < 0) return undefined;
      if (depth === 1) {
        const next = skipSpace(b, end + 1);
        if (b[next] === COLON && end - i - 1 === 8 && b.toString('latin1', i + 1, end) === 'features') {
          if (seenFeatures) return undefined;
          const value = skipSpace(b, next + 1);
          if (b[value] !== OPEN_BRACKET) return undefined;
          return { at: value, depth };
        }
      }
      i = end + 1;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      depth++;
      i++;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
      if (depth < 0) return undefined;
      i++;
      if (depth === 0) return skipSpace(b, i) === b.length ? { at: -1, depth } : undefined;
    } else i++;
  }
  return undefined;
}

export function featureSpans(b: Buffer, from = 0): FeatureSpans | undefined {
  let i = skipSpace(b, from);
  if (b[i] !== OPEN_BRACE) return undefined;
  const head = scanMembers(b, i + 1, 1, false);
  if (!head || head.at < 0) return undefined;
  const arrayStart = head.at;
  const spans: number[] = [];
  i = arrayStart + 1;
  let expectElement = true, first = true;
  // next brace and quote positions, found natively and reused until passed
  let nextQuote = -2, nextOpen = -2, nextClose = -2;
  for (;;) {
    i = skipSpace(b, i);
    const c = b[i];
    if (c === CLOSE_BRACKET && (first || !expectElement)) break;
    if (!expectElement) {
      if (c !== COMMA) return undefined;
      expectElement = true;
      i++;
      continue;
    }
    if (c !== OPEN_BRACE) return undefined;
    // one element: an object, to its matching brace
    const start = i;
    let depth = 1;
    i++;
    while (depth > 0) {
      if (nextQuote < i && nextQuote !== -1) nextQuote = b.indexOf(QUOTE, i);
      if (nextOpen < i && nextOpen !== -1) nextOpen = b.indexOf(OPEN_BRACE, i);
      if (nextClose < i && nextClose !== -1) nextClose = b.indexOf(CLOSE_BRACE, i);
      if (nextClose === -1) return undefined;
      let at = nextClose;
      if (nextOpen !== -1 && nextOpen < at) at = nextOpen;
      if (nextQuote !== -1 && nextQuote < at) at = nextQuote;
      if (at === nextQuote) {
        const end = closeString(b, at);
        if (end < 0) return undefined;
        i = end + 1;
      } else {
        depth += at === nextOpen ? 1 : -1;
        i = at + 1;
      }
    }
    spans.push(start, i);
    expectElement = false;
    first = false;
  }
  const arrayEnd = i + 1;
  // the rest of the top-level object: balanced, and no second "features"
  const tail = scanMembers(b, arrayEnd, head.depth, true);
  if (!tail || tail.at !== -1) return undefined;
  return { arrayStart, arrayEnd, spans };
}
