// Positions: the server counts Unicode code points of the normalised text (qual/codings.csv);
// the DOM counts UTF-16 code units. These helpers convert between the two.

/** Number of code points in a string (a lone surrogate counts as one). */
export function cpLength(s) {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

/** UTF-16 offset of code point ``cp`` in ``s`` (clamped to the string). */
export function utf16Offset(s, cp) {
  let i = 0;
  for (let k = 0; k < cp && i < s.length; k++) {
    const c = s.charCodeAt(i);
    i += c >= 0xd800 && c <= 0xdbff && i + 1 < s.length ? 2 : 1;
  }
  return i;
}

/** Code point offset of a UTF-16 offset in ``s``; an offset inside a surrogate pair counts the pair as passed. */
export function cpOffset(s, utf16) {
  return cpLength(s.slice(0, utf16));
}
