import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'fatal'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * Structured JSON logs on stderr (one object per line), as a daemon's supervisor expects; `component` names the
 * subsystem so `jq 'select(.component=="api")'` finds what you need.
 */
export function createLogger(level: LogLevel | 'silent' = 'info', destination: NodeJS.WritableStream = process.stderr): Logger {
  return pino(
    {
      level: level as LevelWithSilent,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}

/** A logger that drops everything, for tests and library use. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
