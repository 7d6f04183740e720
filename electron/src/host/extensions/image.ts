// The extension's image on the engine: pulled when absent (as Docker Desktop does), and its labels.
import type Docker from 'dockerode';

/** Pulls `ref` unless the engine has it; resolves true when it pulled. */
export async function ensureImage(docker: Docker, ref: string): Promise<boolean> {
  try {
    await docker.getImage(ref).inspect();
    return false;
  } catch (e) {
    if ((e as { statusCode?: number }).statusCode !== 404) throw e;
  }
  const stream = await docker.pull(ref);
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(stream, (err: Error | null, out: { error?: string; errorDetail?: { message?: string } }[]) => {
      const failed = err?.message ?? out.find((o) => o.error)?.error;
      if (failed) reject(new Error(`pulling ${ref} failed: ${failed}`));
      else resolve();
    });
  });
  return true;
}

export async function imageLabels(docker: Docker, ref: string): Promise<Record<string, string>> {
  const info = await docker.getImage(ref).inspect();
  return info.Config?.Labels ?? {};
}
