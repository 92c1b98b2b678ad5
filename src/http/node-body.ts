import type { IncomingMessage } from 'node:http';
import { castFormBodyLimit } from './form-body.js';
import type { CastHttpInput } from './types.js';

/**
 * Reads a Node request body up to one byte past the form limit (the handler answers 413 from
 * there), without waiting for the rest; a `Content-Length` over the limit is not read at all.
 * Resolves `undefined` when the client went away.
 */
export function readNodeBody(req: IncomingMessage): Promise<Uint8Array | undefined> {
  const declared = Number(req.headers['content-length']);
  if (declared > castFormBodyLimit) return Promise.resolve(new Uint8Array(castFormBodyLimit + 1));
  if (req.readableEnded) return Promise.resolve(new Uint8Array(0));
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (value: Uint8Array | undefined) => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onError);
      resolve(value);
    };
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size > castFormBodyLimit) {
        req.pause();
        finish(Buffer.concat(chunks, size).subarray(0, castFormBodyLimit + 1));
      }
    };
    const onEnd = () => {
      finish(Buffer.concat(chunks, size));
    };
    const onError = () => {
      finish(undefined);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onError);
  });
}

/**
 * Node's headers for the handler. Node keeps only the first of two `Referer` lines, so they are
 * counted in the raw list: a Referer sent twice is handed on as an array (refused).
 */
export function nodeHeaders(req: IncomingMessage): CastHttpInput['headers'] {
  const raw = req.rawHeaders;
  let referers = 0;
  for (let index = 0; index < raw.length; index += 2) {
    const name = raw[index];
    if (name !== undefined && name.length === 7 && name.toLowerCase() === 'referer') referers++;
  }
  if (referers < 2) return req.headers;
  const values: string[] = [];
  for (let index = 0; index < raw.length; index += 2) if (raw[index]?.toLowerCase() === 'referer') values.push(raw[index + 1] ?? '');
  return { ...req.headers, referer: values };
}
