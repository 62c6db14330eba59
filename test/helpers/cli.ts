import { Writable } from 'node:stream';

/** A writable that keeps what a command printed, for `main(argv, { stdout, stderr, env })`. */
export function sink(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk, _enc, done) {
      text += String(chunk);
      done();
    },
  });
  return { stream, text: () => text };
}
