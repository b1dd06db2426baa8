/** `--name value` / `--flag` / `--no-flag` command-line options of `npm run bench -- <scenario> …`. */

export type Flags = ReadonlyMap<string, string>;

export interface ParsedArgs {
  readonly positional: readonly string[];
  readonly flags: Flags;
}

export function parseArgs(argv: readonly string[]): ParsedArgs {
  const positional: string[] = [];
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    if (eq > 0) {
      flags.set(arg.slice(2, eq), arg.slice(eq + 1));
    } else if (arg.startsWith('--no-')) {
      flags.set(arg.slice(5), 'false');
    } else {
      const next = argv[i + 1];
      if (next !== undefined && !next.startsWith('--')) {
        flags.set(arg.slice(2), next);
        i += 1;
      } else {
        flags.set(arg.slice(2), 'true');
      }
    }
  }
  return { positional, flags };
}

export function intFlag(flags: Flags, name: string, fallback: number, min = 1, max = Number.MAX_SAFE_INTEGER): number {
  const text = flags.get(name);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`--${name} must be an integer in ${min}..${max}, got ${text}`);
  return value;
}

/** A comma-separated list of integers, each in min..max (`--fixed-rate 1000,5000`). */
export function intListFlag(flags: Flags, name: string, fallback: readonly number[], min = 1, max = Number.MAX_SAFE_INTEGER): number[] {
  const text = flags.get(name);
  if (text === undefined) return [...fallback];
  return text.split(',').map((part) => {
    const value = Number(part.trim());
    if (part.trim() === '' || !Number.isInteger(value) || value < min || value > max) throw new Error(`--${name} takes integers in ${min}..${max}, comma-separated, got ${text}`);
    return value;
  });
}

export function boolFlag(flags: Flags, name: string, fallback: boolean): boolean {
  const text = flags.get(name);
  if (text === undefined) return fallback;
  return text !== 'false' && text !== '0';
}
