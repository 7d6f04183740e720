import type { StageProgress, StartStage } from './backend.js';

/** What each start stage is doing, in the words the CLI prints (`  booting the VM…`) and the dashboard shows. */
export const STAGE_TEXT: Record<StartStage, string> = {
  prepare: 'preparing disks and keys',
  boot: 'booting the VM',
  ssh: 'waiting for the VM (SSH)',
  engine: 'waiting for berthd',
};

/** The stage as a status line: "Booting the VM". */
export function stageTitle(stage: StartStage): string {
  const text = STAGE_TEXT[stage];
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * Share of a cold start each stage takes, so progress moves roughly with time: under TCG most of it is the
 * kernel and init reaching SSH, then Node starting berthd; preparing and launching QEMU are quick.
 */
const WEIGHT: Record<StartStage, number> = { prepare: 0.05, boot: 0.1, ssh: 0.5, engine: 0.35 };
const ORDER: StartStage[] = ['prepare', 'boot', 'ssh', 'engine'];

/** 0..1 for a progress event: the stages done so far (a stage counts once it ended). */
export function startProgress(p: Pick<StageProgress, 'stage' | 'phase'>): number {
  let done = 0;
  for (const s of ORDER) {
    if (s === p.stage) return Math.round((done + (p.phase === 'end' ? WEIGHT[s] : 0)) * 100) / 100;
    done += WEIGHT[s];
  }
  return done;
}
