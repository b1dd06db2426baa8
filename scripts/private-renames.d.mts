/** Types of scripts/private-renames.mjs (the build's private-member renaming), for the tests. */
export declare const PRIVATE_PREFIX: string;
export declare const PRIVATE_PROPS: RegExp;
export interface PrivateRenameEdit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}
/** Absolute source file → its edits, sorted and non-overlapping, as offsets into the file on disk. */
/** The TypeScript sources under `dir` (recursive), declaration files left out. */
export declare function tsFilesUnder(dir: string): string[];
export declare function privateRenames(root: string): Map<string, PrivateRenameEdit[]>;
