/** Types of scripts/enum-inlines.mjs (the build's enum member reads written as values), for the tests. */
export interface EnumInlineEdit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}
/** Absolute source file → its edits, sorted and non-overlapping, as offsets into the file on disk. */
export declare function enumInlines(root: string, files?: readonly string[]): Map<string, EnumInlineEdit[]>;
