// Types of l10n-export.mjs (plain JS so that it runs with bare Node, like the other scripts).
export interface Found { message: string; file: string; line: number }
export declare const SOURCE_DIRS: string[];
export declare const BUNDLE: string;
export declare function readLiteral(text: string, start: number): { value: string; end: number } | undefined;
export declare function scanSource(text: string, file?: string): { messages: Found[]; problems: string[] };
export declare function collect(root?: string): { messages: Found[]; problems: string[] };
export declare function bundleOf(messages: Found[]): Record<string, string>;
export declare function bundleText(bundle: Record<string, string>): string;
