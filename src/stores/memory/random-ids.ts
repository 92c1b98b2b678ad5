import { randomFillSync } from 'node:crypto';

// Random ids for the memory provisioner's sessions and anonymous users: `<prefix><uuid>`, a random
// (version 4) UUID. `crypto.randomUUID()` builds its string from 20 concatenated pieces, which V8
// keeps as a chain of string nodes until something flattens it: a session remembered for ten
// thousand decisions kept about 500 bytes of them per id, and every scavenge copied them. Here a
// batch of ids is formatted as bytes and turned into one flat string; each id is a slice of it.

const idsPerBatch = 512;
const uuidLength = 36;
/** The two ASCII hex digits of every byte value. */
const hexPairs = /* @__PURE__ */ (() => {
  const digits = Buffer.from('0123456789abcdef', 'latin1');
  const pairs = new Uint8Array(512);
  for (let byte = 0; byte < 256; byte++) {
    pairs[2 * byte] = digits[byte >> 4] ?? 0;
    pairs[2 * byte + 1] = digits[byte & 0xf] ?? 0;
  }
  return pairs;
})();
const dash = 0x2d;

/**
 * Makes a source of random ids `<prefix><uuid>` (`prefix` ASCII). Each call answers a new id; the
 * UUIDs are version 4 (RFC 4122 variant) with 122 random bits from `crypto.randomFillSync`.
 */
export function randomIdSource(prefix: string): () => string {
  const head = Uint8Array.from(Buffer.from(prefix, 'latin1'));
  const idLength = head.length + uuidLength;
  const random = new Uint8Array(16 * idsPerBatch);
  const text = Buffer.allocUnsafe(idLength * idsPerBatch);
  // The prefix is written once per batch slot here: refills only overwrite the UUIDs.
  for (let id = 0; id < idsPerBatch; id++) text.set(head, id * idLength);
  let batch = '';
  let next = idsPerBatch;

  // One pass over the batch's random bytes in plain typed-array reads and writes (no native call per
  // id: a `Buffer.copy` per id cost more than formatting it).
  function refill(): void {
    randomFillSync(random);
    for (let id = 0; id < idsPerBatch; id++) {
      let at = id * idLength + head.length;
      const from = id * 16;
      for (let i = 0; i < 16; i++) {
        let byte = random[from + i] as number;
        if (i === 6) byte = (byte & 0x0f) | 0x40; // the version
        else if (i === 8) byte = (byte & 0x3f) | 0x80; // the variant
        text[at++] = hexPairs[2 * byte] as number;
        text[at++] = hexPairs[2 * byte + 1] as number;
        if (i === 3 || i === 5 || i === 7 || i === 9) text[at++] = dash;
      }
    }
    batch = text.toString('latin1');
    next = 0;
  }

  return () => {
    if (next === idsPerBatch) refill();
    const start = next++ * idLength;
    return batch.slice(start, start + idLength);
  };
}
