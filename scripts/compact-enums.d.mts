/** Types of scripts/compact-enums.mjs (the build's numeric enums as tables), for the tests. */
import type { EnumDeclaration } from 'typescript';
export declare const ENUM_TABLE_ID: string;
export declare const ENUM_TABLE_CODE: string;
export declare const ENUM_TABLE_IMPORT: string;
export interface CompactEnumEdit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}
export declare function enumSpec(declaration: EnumDeclaration): string | undefined;
export declare function compactEnumEdits(code: string, fileName: string): CompactEnumEdit[];
