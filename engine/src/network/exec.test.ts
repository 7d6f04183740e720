import { describe, expect, it } from 'vitest';
import { execTool } from './exec.js';

describe('execTool', () => {
  it('reports a tool that exits without reading its input by its exit status, not by an EPIPE that ends berthd', async () => {
    // More than a pipe buffer, so the write is still pending when the tool has gone.
    const r = await execTool('sh', ['-c', 'exit 3'], 'x'.repeat(4 << 20));
    expect(r).toEqual({ code: 3, stdout: '', stderr: '' });
  });

  it('passes its input to a tool that reads it', async () => {
    expect(await execTool('cat', [], 'rules\n')).toEqual({ code: 0, stdout: 'rules\n', stderr: '' });
  });
});
