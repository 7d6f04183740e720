/**
 * `POST /build` (the classic builder's JSON stream) and `POST /build/prune`. With `q=1` the step output is held
 * back and sent only if the build fails; a success then prints just the image ID, as dockerd does.
 */
import { errorMessage } from '../../base/errors.js';
import { Filters } from '../../base/filters.js';
import { RunFailed } from '../../build/dispatch-run.js';
import { parseBuildOptions } from '../../build/options.js';
import { BuildService } from '../../build/service.js';
import type { Router } from '../router.js';
import { JsonMessageStream, sendJson } from '../respond.js';

export type BuildBackend = Pick<BuildService, 'build' | 'prune'>;

export function registerBuildRoutes(router: Router, backend: BuildBackend): void {
  router.post('/build', async (ctx) => {
    const opts = parseBuildOptions(ctx.query, ctx.req.headers['x-registry-config'] as string | undefined);
    const stream = new JsonMessageStream(ctx);
    const held: string[] = [];
    const out = {
      stream: (text: string) => (opts.quiet ? held.push(text) : stream.write({ stream: text })),
      message: (m: Record<string, unknown>) => {
        if (!opts.quiet) stream.write(m);
      },
      // The client left: the build stops and tags nothing, as dockerd cancels the build's context.
      signal: ctx.signal,
    };
    try {
      const result = await backend.build(ctx.req, opts, out);
      stream.write({ id: 'moby.image.id', aux: { ID: result.id } });
      if (opts.quiet) stream.write({ stream: `${result.id}\n` });
      else for (const line of BuildService.successLines(result)) stream.write({ stream: line });
      stream.end();
    } catch (err) {
      if (held.length) stream.write({ stream: held.join('') });
      if (err instanceof RunFailed) {
        const message = errorMessage(err);
        stream.write({ errorDetail: { code: err.code, message }, error: message });
        stream.end();
        return;
      }
      stream.fail(err);
    }
  });

  router.post('/build/prune', async (ctx) => {
    sendJson(ctx, 200, await backend.prune(Filters.parse(ctx.query.get('filters'))));
  });
}
