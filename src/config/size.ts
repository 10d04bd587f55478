/** A size as the file writes it: a positive whole number with `b`, `kb` or `mb` ("512kb", "1mb"). */
export const SIZE_PATTERN = '^[1-9][0-9]*(b|kb|mb)$';

const UNIT_BYTES = { b: 1, kb: 1024, mb: 1024 * 1024 } as const;

/** The number of bytes a size stands for; kb and mb are powers of 1024. */
export function sizeInBytes(text: string): number {
  const m = new RegExp(SIZE_PATTERN).exec(text);
  if (!m) throw new TypeError(`not a size: ${text}`);
  return Number(text.slice(0, -(m[1] ?? '').length)) * UNIT_BYTES[m[1] as keyof typeof UNIT_BYTES];
}
