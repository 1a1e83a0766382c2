/** The demo page, script and style, bundled at build time from src/cli/demo/ui (scripts/console-ui.mjs). */
declare module "tessera-demo-ui:assets" {
  export const PAGE: string;
  export const SCRIPT: string;
  export const STYLE: string;
}
