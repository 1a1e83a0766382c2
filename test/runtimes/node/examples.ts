// examples/node is plain JavaScript (Node 20 runs it as it is, no build step); these are the
// shapes the tests rely on, so the tests type-check without declaration files in the examples.
import type { SessionTokens, VerifyResult } from "../../../src/shared/protocol.ts";

export interface AppOptions {
  endpoint: string;
  secretKey: string;
  publishableKey: string;
  product: string;
  env: string;
  tag: string;
}
export interface ExampleServer {
  url: string;
  close(): Promise<void>;
}
export interface ClientRun {
  started: SessionTokens;
  me: unknown;
  refreshed: SessionTokens;
  verified: VerifyResult;
  ended: { revoked: number };
  statusAfterEnd: number;
  changes: string[];
  stored: unknown;
}

const load = (path: string) => import(new URL(path, import.meta.url).href);

export const { startExampleServer } = (await load("../../../examples/node/server.mjs")) as {
  startExampleServer(options: AppOptions & { port?: number; hostname?: string }): Promise<ExampleServer>;
};
export const { runNodeClient } = (await load("../../../examples/node/client.mjs")) as {
  runNodeClient(options: { appUrl: string; endpoint?: string; username: string; password: string; log?: (line: string) => void }): Promise<ClientRun>;
};
