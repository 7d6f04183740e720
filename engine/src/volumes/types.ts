/** What Berth persists about a volume, in `<data-root>/volumes/<name>/volume.json`. */
export interface VolumeRecord {
  Name: string;
  Driver: 'local';
  Labels: Record<string, string> | null;
  /** Driver options (`type`, `device`, `o`), null when none were given. */
  Options: Record<string, string> | null;
  /** RFC3339 to the second, as dockerd shows it. */
  CreatedAt: string;
}

/** dockerd marks the volumes it creates for `-v /path` and image VOLUMEs with this label; prune goes by it. */
export const ANONYMOUS_LABEL = 'com.docker.volume.anonymous';

export interface VolumeCreateRequest {
  Name?: string;
  Driver?: string;
  DriverOpts?: Record<string, string> | null;
  Labels?: Record<string, string> | null;
}
