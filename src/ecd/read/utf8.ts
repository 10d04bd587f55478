/**
 * Decodes a byte stream chunk by chunk, strictly. The native TextDecoder does the work (it is far faster
 * than anything written here); the bookkeeping around it exists only so that, when it refuses a chunk,
 * the caller still gets the valid text before the bad byte and can report the line and column it is on.
 */
export interface DecodedChunk {
  text: string;
  /** True when the bytes after `text` are not valid UTF-8. */
  invalid: boolean;
}

const BOM = [0xef, 0xbb, 0xbf] as const;

export class Utf8StreamDecoder {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  /** Bytes at the end of the previous chunk that the decoder holds back as an unfinished character. */
  private carry: Uint8Array = new Uint8Array(0);
  private decodedBytes = 0;

  decode(bytes: Uint8Array): DecodedChunk {
    try {
      const text = this.decoder.decode(bytes, { stream: true });
      this.remember(bytes);
      return { text, invalid: false };
    } catch {
      return { text: this.validPrefix(bytes), invalid: true };
    }
  }

  /** The end of the stream: an unfinished character left over is invalid. */
  finish(): DecodedChunk {
    try {
      return { text: this.decoder.decode(), invalid: false };
    } catch {
      return { text: '', invalid: true };
    }
  }

  private remember(bytes: Uint8Array): void {
    const whole = this.carry.length > 0 ? concat(this.carry, bytes) : bytes;
    const tail = incompleteTail(whole);
    this.decodedBytes += whole.length - tail;
    this.carry = tail > 0 ? whole.slice(whole.length - tail) : new Uint8Array(0);
  }

  private validPrefix(bytes: Uint8Array): string {
    const whole = this.carry.length > 0 ? concat(this.carry, bytes) : bytes;
    let start = 0;
    // The decoder strips a leading BOM; its text so far never contained one, so neither may the prefix.
    if (this.decodedBytes === 0 && whole[0] === BOM[0] && whole[1] === BOM[1] && whole[2] === BOM[2]) {
      start = 3;
    }
    const bad = firstInvalidByte(whole, start);
    return Buffer.from(whole.buffer, whole.byteOffset, whole.byteLength).toString('utf8', start, bad);
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** Length of a character cut off by the end of `bytes` (0 when the last character is complete). */
function incompleteTail(bytes: Uint8Array): number {
  const n = bytes.length;
  for (let back = 1; back <= 3 && back <= n; back++) {
    const b = bytes[n - back]!;
    if (b < 0x80) return 0;
    if (b >= 0xc0) {
      const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
      return need > back ? back : 0;
    }
  }
  return 0;
}

/**
 * Offset of the first byte that starts an invalid or unfinished sequence, by the same rules as the
 * WHATWG decoder (no overlong forms, no surrogates, nothing above U+10FFFF).
 */
export function firstInvalidByte(bytes: Uint8Array, from = 0): number {
  const n = bytes.length;
  let i = from;
  while (i < n) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let low = 0x80;
    let high = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) low = 0xa0;
      else if (b === 0xed) high = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) low = 0x90;
      else if (b === 0xf4) high = 0x8f;
    } else return i;
    if (i + need >= n) return i;
    const second = bytes[i + 1]!;
    if (second < low || second > high) return i;
    for (let k = 2; k <= need; k++) {
      const c = bytes[i + k]!;
      if (c < 0x80 || c > 0xbf) return i;
    }
    i += need + 1;
  }
  return n;
}
