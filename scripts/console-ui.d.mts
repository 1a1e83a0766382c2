export declare const CONSOLE_UI_ID: string;
export declare function consoleUiModule(root: string): Promise<string>;
export declare function consoleUiEsbuildPlugin(root: string): import("esbuild").Plugin;
export declare function consoleUiVitePlugin(root: string): { name: string; resolveId(id: string): string | null; load(id: string): Promise<string> | null };
