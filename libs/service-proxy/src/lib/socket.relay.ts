import type { Socket } from 'net';

/**
 * Copies bytes both ways with backpressure and passes each FIN on (half-close), like two
 * stream.pipeline calls; a socket that closes uncleanly (reset, error) takes the other down.
 * Hand-rolled because pipeline allocates an AbortController and a DOMException per call,
 * measurable when every request is a new connection.
 */
export function relay(a: Socket, b: Socket): void {
  forward(a, b);
  forward(b, a);
  a.once('close', () => {
    if (!(a.readableEnded && a.writableFinished)) b.destroy();
  });
  b.once('close', () => {
    if (!(b.readableEnded && b.writableFinished)) a.destroy();
  });
}

function forward(from: Socket, to: Socket): void {
  from.on('data', (chunk: Buffer) => {
    if (!to.write(chunk)) from.pause();
  });
  to.on('drain', () => from.resume());
  from.once('end', () => to.end());
}
