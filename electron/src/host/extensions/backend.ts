// Starting, stopping and removing an extension's Compose project through the docker CLI's Compose plugin, and
// finding its containers through the engine API.
import type Docker from 'dockerode';
import { runDocker, type DockerCli } from './docker-cli.js';

export interface BackendTarget {
  cli: DockerCli;
  engine: string;
  docker: Docker;
}

export interface ComposeProject {
  project: string;
  file: string;
  /** The image ref `${DESKTOP_PLUGIN_IMAGE}` stands for. */
  image: string;
}

async function compose(t: BackendTarget, p: ComposeProject, args: string[]): Promise<void> {
  const res = await runDocker(t.cli, t.engine, ['compose', '-p', p.project, '-f', p.file, ...args], { DESKTOP_PLUGIN_IMAGE: p.image });
  if (res.code !== 0) {
    const why = res.stderr.trim().split('\n').slice(-3).join('\n') || `exit code ${res.code}`;
    throw new Error(`docker compose ${args[0]} of ${p.project} failed: ${why}`);
  }
}

export const composeUp = (t: BackendTarget, p: ComposeProject) => compose(t, p, ['up', '-d', '--remove-orphans']);
export const composeStop = (t: BackendTarget, p: ComposeProject) => compose(t, p, ['stop']);
/** Removes the project's containers, networks and volumes. */
export const composeDown = (t: BackendTarget, p: ComposeProject) => compose(t, p, ['down', '--volumes', '--remove-orphans']);

export interface BackendContainer {
  id: string;
  service: string;
  state: string;
}

export async function projectContainers(docker: Docker, project: string): Promise<BackendContainer[]> {
  const list = await docker.listContainers({ all: true, filters: JSON.stringify({ label: [`com.docker.compose.project=${project}`] }) });
  return list.map((c) => ({ id: c.Id, service: c.Labels?.['com.docker.compose.service'] ?? '', state: c.State }));
}
