import type Docker from 'dockerode';
import type { Duplex, Readable } from 'node:stream';
import { statsSample, type RawStats } from '../mappers/stats.js';
import { onJsonLines } from '../../json-lines.js';
import { LogLineSplitter } from './log-lines.js';
import type { StreamHandlers } from './types.js';

export function containerStreams(docker: Docker): Pick<StreamHandlers, 'containers.logs' | 'containers.stats' | 'containers.exec'> {
  return {
    async 'containers.logs'({ id, tail, timestamps, follow }, sink) {
      const c = docker.getContainer(id);
      const info = await c.inspect();
      const splitter = new LogLineSplitter({ multiplexed: !info.Config.Tty, timestamps: timestamps ?? false, onLines: (l) => sink.data(l) });
      const opts = { stdout: true, stderr: true, timestamps: timestamps ?? false, ...(tail !== undefined ? { tail } : {}) } as const;
      if (follow === false) {
        // Without follow dockerode buffers the whole answer.
        const buf = (await c.logs({ ...opts, follow: false })) as unknown as Buffer;
        splitter.push(buf);
        splitter.end();
        sink.end();
        return { close: () => splitter.dispose() };
      }
      const stream = (await c.logs({ ...opts, follow: true })) as unknown as Readable;
      stream.on('data', (b: Buffer) => splitter.push(b));
      stream.on('end', () => { splitter.end(); sink.end(); });
      stream.on('error', (err) => { splitter.dispose(); sink.end(err); });
      return { close: () => { splitter.dispose(); stream.destroy(); } };
    },

    async 'containers.stats'({ id }, sink) {
      const stream = (await docker.getContainer(id).stats({ stream: true })) as unknown as Readable;
      onJsonLines(stream, (obj) => sink.data(statsSample(obj as RawStats)));
      stream.on('end', () => sink.end());
      stream.on('error', (err) => sink.end(err));
      return { close: () => stream.destroy() };
    },

    async 'containers.exec'({ id, cmd, cols, rows }, sink) {
      const exec = await docker.getContainer(id).exec({
        Cmd: cmd.length ? cmd : ['sh'],
        AttachStdin: true, AttachStdout: true, AttachStderr: true, Tty: true,
        Env: ['TERM=xterm-256color'],
      });
      const stream = (await exec.start({ hijack: true, stdin: true, Tty: true })) as Duplex;
      const resize = (c: number, r: number) => exec.resize({ w: c, h: r }).catch(() => undefined);
      void resize(cols, rows);
      stream.on('data', (b: Buffer) => sink.data({ out: b.toString('base64') }));
      stream.on('end', () => sink.end());
      stream.on('error', (err) => sink.end(err));
      return {
        input(v) {
          if ('data' in v) stream.write(v.data);
          else void resize(v.resize.cols, v.resize.rows);
        },
        close: () => stream.destroy(),
      };
    },
  };
}
