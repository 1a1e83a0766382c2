export function builtScriptTag(): Buffer | null;
export function bundleScriptTag(external?: string[]): Promise<Buffer>;
