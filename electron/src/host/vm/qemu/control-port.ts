import { randomBytes } from 'node:crypto';
import type net from 'node:net';
import { connectSocket } from '../util.js';

/**
 * The host's end of the VM's virtio-serial port `org.berth.control` (a QEMU chardev socket, a named pipe on
 * Windows). At the boot-snapshot point the VM's init waits for one line, `go <host clock in s> <random hex>`: the
 * clock it sets (a resumed VM's is the moment its snapshot was saved) and bytes it reseeds the kernel's generator
 * with (see vm-image/tools/berth-resume.c). The connection stays open until close(): QEMU hands the line to the VM
 * only once the VM has its end of the port open.
 */
export class ControlPort {
  private socket: net.Socket | undefined;

  constructor(private readonly path: string) {}

  /** The line the VM expects; 32 fresh random bytes each time. */
  static goAheadLine(now = Date.now()): string {
    return `go ${(now / 1000).toFixed(3)} ${randomBytes(32).toString('hex')}\n`;
  }

  async goAhead(timeoutMs = 5000): Promise<void> {
    this.close();
    const socket = await connectSocket(this.path, timeoutMs, `cannot connect to the VM's control port ${this.path}`);
    socket.on('error', () => undefined);
    this.socket = socket;
    await new Promise<void>((resolve, reject) => socket.write(ControlPort.goAheadLine(), (err) => (err ? reject(err) : resolve())));
  }

  close(): void {
    this.socket?.destroy();
    this.socket = undefined;
  }
}
