/**
 * The file sender's helper process (file-sender.ts). The server hands it a connection with a message:
 * the answer's head and a file's byte range. It writes both, through the same `sendFile` as the
 * server's own streaming (src/storage/file-streams.ts, with the same `CONTENT_STREAMS` limit), and
 * gives the connection back for the client's next request. It never reads from a connection: the
 * next request waits in the kernel for the server. Plain Node, no framework: it starts in a moment
 * and knows nothing but these messages.
 */
import type { Socket } from 'node:net';
import { sendFile, streamsAtOnce } from '../storage/file-streams';
import { type SendFile, stopReading } from './file-sender-protocol';

async function send({ head, file, start, end, idleMs }: SendFile, socket: Socket): Promise<void> {
  // a client that takes nothing for this long is dropped, as the server would (its idle timeout)
  socket.setTimeout(idleMs, () => socket.destroy());
  socket.on('error', () => socket.destroy());
  socket.write(head);
  await sendFile(socket, file, { start, end });
  // The last bytes with the kernel: the connection goes back; this process closes its copy.
  await new Promise<void>((resolve, reject) => socket.write('', (err) => (err ? reject(err) : resolve())));
  socket.setTimeout(0);
  process.send!({ type: 'back' }, socket, { keepOpen: true }, () => socket.destroy());
}

streamsAtOnce(Number(process.env.CONTENT_STREAMS ?? 0));
process.on('message', (message: SendFile, socket?: Socket) => {
  // Node starts reading a connection it receives; stopped before its first read (this turn of the loop).
  if (socket && stopReading(socket)) {
    send(message, socket).catch(() => socket.destroy());
  } else {
    socket?.destroy();
  }
});
// The server gone (its channel closed): nothing more to send.
process.on('disconnect', () => process.exit(0));
