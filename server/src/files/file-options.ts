/**
 * Server-wide settings of the built-in file service (`--files name=value,…`, `LIANXIN_FILES`, config
 * file key "files" as a string or an object). Every limit the seed states (GIF ≤ 2 MB → 34003, sight ≤
 * 2 min → 34002) is configurable so tests can exercise it with small files.
 */

export interface FileOptions {
  /** false: no upload/download routes, and the file topics answer 39002 (NOT_SUPPORT). */
  readonly enabled: boolean;
  /**
   * Public base URL of this server for upload and download URLs (`https://files.example.com`, no
   * trailing slash). Absent: `http://` + the first `--public-host`, else the listening address.
   */
  readonly baseUrl?: string;
  /** Lifetime of an upload token from `qnTkn`; its `deadline` is issue time + this. */
  readonly tokenTtlMs: number;
  readonly maxImageBytes: number;
  readonly maxAudioBytes: number;
  /** Videos and sight (small video) files. */
  readonly maxVideoBytes: number;
  readonly maxFileBytes: number;
  /** Combined-message HTML (FileType 6). */
  readonly maxHtmlBytes: number;
  /** Image uploads that are GIFs (34003 beyond it). */
  readonly maxGifBytes: number;
  /** Sight uploads (FileType 5) whose MP4 header says longer than this (34002). */
  readonly maxSightSeconds: number;
  /**
   * Uploads staging a file before any token was seen (the official plugin's form: token after the
   * file), at once in all and from one client address; more wait up to tokenlessWaitMs, then 429
   * (files/tokenless-uploads.ts).
   */
  readonly tokenlessUploads: number;
  readonly tokenlessPerAddress: number;
  readonly tokenlessWaitMs: number;
}

const MIB = 1024 * 1024;

export const DEFAULT_FILE_OPTIONS: FileOptions = {
  enabled: true,
  tokenTtlMs: 3_600_000,
  maxImageBytes: 20 * MIB,
  maxAudioBytes: 20 * MIB,
  maxVideoBytes: 100 * MIB,
  maxFileBytes: 100 * MIB,
  maxHtmlBytes: 10 * MIB,
  maxGifBytes: 2 * MIB,
  maxSightSeconds: 120,
  tokenlessUploads: 32,
  tokenlessPerAddress: 4,
  tokenlessWaitMs: 30_000,
};

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type SizeField = 'maxImageBytes' | 'maxAudioBytes' | 'maxVideoBytes' | 'maxFileBytes' | 'maxHtmlBytes' | 'maxGifBytes';

const SIZE_NAMES: Readonly<Record<string, SizeField>> = {
  maxImage: 'maxImageBytes',
  maxAudio: 'maxAudioBytes',
  maxVideo: 'maxVideoBytes',
  maxFile: 'maxFileBytes',
  maxHtml: 'maxHtmlBytes',
  maxGif: 'maxGifBytes',
};
export const FILE_OPTION_NAMES: readonly string[] = [
  'enabled', 'baseUrl', 'tokenTtlMs', 'maxSightSeconds', ...Object.keys(SIZE_NAMES), 'tokenlessUploads', 'tokenlessPerAddress', 'tokenlessWaitMs',
];

/** Largest size accepted for any single limit: 16 GiB. */
const MAX_SIZE = 16 * 1024 * MIB;

/** `12345`, `512K`, `20M`, `1G` (binary multiples). */
export function parseByteSize(text: string): number | undefined {
  const match = /^(\d+)([KMG]?)$/i.exec(text.trim());
  if (match === null) return undefined;
  const unit = (match[2] ?? '').toUpperCase();
  const factor = unit === 'K' ? 1024 : unit === 'M' ? MIB : unit === 'G' ? 1024 * MIB : 1;
  const value = Number(match[1]) * factor;
  return Number.isSafeInteger(value) && value >= 1 && value <= MAX_SIZE ? value : undefined;
}

function parseBool(text: string): boolean | undefined {
  const value = text.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(value)) return true;
  if (['0', 'false', 'no', 'off'].includes(value)) return false;
  return undefined;
}

/**
 * Parses `name=value,name=value`; returns an error message (for ConfigError) or the options. Unnamed
 * settings keep their defaults.
 */
export function parseFileOptions(text: string): FileOptions | string {
  const options: Mutable<FileOptions> = { ...DEFAULT_FILE_OPTIONS };
  for (const item of text.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    const eq = item.indexOf('=');
    if (eq <= 0) return `files option "${item}" must be name=value`;
    const name = item.slice(0, eq).trim();
    const value = item.slice(eq + 1).trim();
    const sizeField = SIZE_NAMES[name];
    if (sizeField !== undefined) {
      const size = parseByteSize(value);
      if (size === undefined) return `files option ${name}: "${value}" is not a size (bytes, or with K/M/G)`;
      options[sizeField] = size;
      continue;
    }
    switch (name) {
      case 'enabled': {
        const enabled = parseBool(value);
        if (enabled === undefined) return `files option enabled: "${value}" is not a boolean`;
        options.enabled = enabled;
        break;
      }
      case 'baseUrl': {
        if (!/^https?:\/\/[A-Za-z0-9.\-[\]:]+(\/[A-Za-z0-9._~!$&'()*+;=:@%/-]*)?$/.test(value)) {
          return `files option baseUrl: "${value}" must be an http(s) URL`;
        }
        options.baseUrl = value.replace(/\/+$/, '');
        break;
      }
      case 'tokenTtlMs':
      case 'maxSightSeconds': {
        if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 31_536_000_000) return `files option ${name}: "${value}" is out of range`;
        options[name] = Number(value);
        break;
      }
      case 'tokenlessUploads':
      case 'tokenlessPerAddress':
      case 'tokenlessWaitMs': {
        if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 86_400_000) return `files option ${name}: "${value}" is out of range`;
        options[name] = Number(value);
        break;
      }
      default:
        return `unknown files option "${name}" (known: ${FILE_OPTION_NAMES.join(', ')})`;
    }
  }
  return options;
}

/** A config-file object `{ "maxGif": "2M", "enabled": true }` as the `name=value,…` text parseFileOptions reads. */
export function fileOptionsText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const parts: string[] = [];
  for (const [name, item] of Object.entries(value as Record<string, unknown>)) {
    if (typeof item !== 'string' && typeof item !== 'number' && typeof item !== 'boolean') return undefined;
    parts.push(`${name}=${String(item)}`);
  }
  return parts.join(',');
}
