/** A group position, `epoch:offset`, read from its text. */
interface Position {
  epoch: string;
  offset: bigint;
}

/** Reads `epoch:offset` (the offset an integer of 0 or more); `undefined` for any other text. */
export function parsePosition(text: string): Position | undefined {
  const colon = text.lastIndexOf(":");
  if (colon < 1) {
    return undefined;
  }
  const offset = text.slice(colon + 1);
  if (!/^[0-9]{1,19}$/.test(offset)) {
    return undefined;
  }
  return { epoch: text.slice(0, colon), offset: BigInt(offset) };
}

/**
 * Whether a frame at `next` is one the client already got, given the last position it kept: true when both are
 * positions of the same epoch and `next`'s offset is not after the kept one.
 */
export function isAtOrBefore(next: string, kept: string | undefined): boolean {
  if (kept === undefined) {
    return false;
  }
  const a = parsePosition(next);
  const b = parsePosition(kept);
  return a !== undefined && b !== undefined && a.epoch === b.epoch && a.offset <= b.offset;
}
