/**
 * The file sender's helper process (file-sender.ts). The server hands it a connection with a message:
 * the answer's head and a file's byte range, on the local disk or at a URL (an S3 object, presigned).
 * It writes both, through the same `sendChunks` as the server's own streaming
 * (src/storage/file-streams.ts, with the same `CONTENT_STREAMS` limit), and gives the connection back
 * for the client's next request. It reads local files with blocking reads on its own loop, as nginx
 * does: nothing else waits on that loop, and handing each read to a thread cost more than the read.
 * It never reads from a connection: the next request waits in the kernel for the server. Plain
 * Node, no framework: it starts in a moment and knows nothing but these messages.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import type { Socket } from 'node:net';
import { sendChunks, sendFile, streamsAtOnce } from '../storage/file-streams';
import { type FromHelper, type SendFile, stopReading } from './file-sender-protocol';

const agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };

async function send({ head, source, start, end, idleMs }: SendFile, socket: Socket): Promise<void> {
  // a client that takes nothing for this long is dropped, as the server would (its idle timeout)
  socket.setTimeout(idleMs, () => socket.destroy());
  socket.on('error', () => socket.destroy());
  if (/^https?:/.test(source)) {
    await sendChunks(socket, fetched(source, { start, end }, head, socket));
  } else {
    socket.write(head, 'latin1');
    await sendFile(socket, source, { start, end }, 'blocking');
  }
  // The last bytes with the kernel: the connection goes back (closed instead when the server is
  // stopping); this process closes its copy.
  await new Promise<void>((resolve, reject) => socket.write('', (err) => (err ? reject(err) : resolve())));
  socket.setTimeout(0);
  if (process.connected) {
    process.send!({ type: 'back' } satisfies FromHelper, socket, { keepOpen: true }, () => socket.destroy());
  } else {
    socket.end();
  }
}

/**
 * The answer's head, then the byte range as a GET of `url` gives it. The object is asked for once the
 * stream has its place (`sendChunks`), and the head goes out only once it answered with the range:
 * when it does not (an S3 error, a network failure) the client's connection is closed with nothing
 * written, as the server does when it streams from S3 itself. A client gone cancels the GET.
 */
async function* fetched(url: string, range: { start: number; end: number }, head: string, client: Socket): AsyncGenerator<Buffer> {
  const [get, agent] = url.startsWith('https:') ? [https.get, agents.https] : [http.get, agents.http];
  const request = get(url, { agent, headers: { Range: `bytes=${range.start}-${range.end}` } });
  const cancel = () => request.destroy();
  client.once('close', cancel);
  try {
    const answer = await new Promise<http.IncomingMessage>((resolve, reject) => request.once('response', resolve).once('error', reject));
    const length = range.end - range.start + 1;
    if ((answer.statusCode !== 206 && answer.statusCode !== 200) || answer.headers['content-length'] !== String(length)) {
      answer.destroy();
      throw new Error(`the object answered ${answer.statusCode} with ${answer.headers['content-length']} bytes for a range of ${length}`);
    }
    yield Buffer.from(head, 'latin1');
    yield* answer; // stopped (and the GET with it) if the client goes first
  } finally {
    client.off('close', cancel);
  }
}

/** Files being sent: the process exits once there are none and its server is gone or stopping. */
let sending = 0;
const exitWhenDone = () => !process.connected && sending === 0 && process.exit(0);

streamsAtOnce(Number(process.env.CONTENT_STREAMS ?? 0));
process.on('message', (message: SendFile, socket?: Socket) => {
  // Node starts reading a connection it receives; stopped before its first read (this turn of the loop).
  if (socket && stopReading(socket)) {
    sending++;
    send(message, socket)
      .catch((err: Error) => {
        // A client gone (or dropped for taking nothing) has its connection destroyed already; any
        // other failure is the storage's, and the server logs it.
        if (!socket.destroyed && process.connected) {
          process.send!({ type: 'failed', requestId: message.requestId, name: message.name, reason: err.message } satisfies FromHelper);
        }
        socket.destroy();
      })
      .finally(() => {
        sending--;
        exitWhenDone();
      });
  } else {
    socket?.destroy();
  }
});
// The server stopping or gone (its channel closed): the files under way are finished, no new one comes.
process.on('disconnect', exitWhenDone);
