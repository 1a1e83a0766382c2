/** The console's page, script and style, bundled at build time from src/console/ui (scripts/console-ui.mjs). */
declare module "tessera-console-ui:assets" {
  export const PAGE: string;
  export const SCRIPT: string;
  export const STYLE: string;
}
