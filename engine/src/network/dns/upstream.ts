import dgram from 'node:dgram';

export interface Upstream {
  host: string;
  port: number;
}

/** Sends one raw DNS message to an upstream over UDP and resolves with the raw reply, or undefined on timeout. */
export function queryUpstream(message: Buffer, upstream: Upstream, timeoutMs = 2000): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const sock = dgram.createSocket(upstream.host.includes(':') ? 'udp6' : 'udp4');
    const id = message.readUInt16BE(0);
    const done = (reply: Buffer | undefined): void => {
      clearTimeout(timer);
      sock.close();
      resolve(reply);
    };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    sock.on('error', () => done(undefined));
    sock.on('message', (reply) => {
      // A reply to someone else's query (same port reused) is not ours.
      if (reply.length >= 2 && reply.readUInt16BE(0) === id) done(reply);
    });
    sock.send(message, upstream.port, upstream.host, (err) => {
      if (err) done(undefined);
    });
  });
}

/** Tries each upstream in turn; undefined when none answered. */
export async function forward(message: Buffer, upstreams: Upstream[]): Promise<Buffer | undefined> {
  for (const u of upstreams) {
    const reply = await queryUpstream(message, u);
    if (reply) return reply;
  }
  return undefined;
}
