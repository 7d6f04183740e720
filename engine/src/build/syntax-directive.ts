/**
 * The `# syntax=` parser directive (or `--build-arg BUILDKIT_SYNTAX=`, which wins). BuildKit would pull the named
 * frontend image and run it; this engine has the Dockerfile frontend built in, so the official
 * `docker/dockerfile` frontends of the 1.x line (any tag of it, `-labs`, `@digest`) are served by it with a warning
 * in the build output, and any other frontend fails the build, never silently ignored.
 */
import { InvalidArgument } from '../base/errors.js';

const BUILT_IN = /^(?:docker\.io\/)?(?:docker\/dockerfile(?:-upstream)?)(?::(?:latest|1(?:\.\d+){0,2}(?:-labs)?))?(?:@sha256:[0-9a-f]{64})?$/;

/** The warning to show for a served `syntax`, undefined when there is none; throws for a custom frontend. */
export function checkSyntaxDirective(directive: string | undefined, buildArg: string | undefined): string | undefined {
  const ref = (buildArg || directive || '').trim();
  if (!ref) return undefined;
  if (!BUILT_IN.test(ref)) {
    throw new InvalidArgument(`custom Dockerfile frontends are not supported by this engine: syntax ${ref} (remove the "# syntax=" line to use the built-in Dockerfile frontend)`);
  }
  return `syntax ${ref} served by the built-in frontend`;
}
