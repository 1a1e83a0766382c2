// firebase auth with only IndexedDB persistence (the closest match to tessera's encrypted
// IndexedDB storage): initializeAuth lets the bundler drop the popup/redirect code and
// the other persistence layers that getAuth() registers.
import { initializeApp } from "firebase/app";
import { initializeAuth, indexedDBLocalPersistence } from "firebase/auth";

export function createBenchClient(options) {
  const app = initializeApp(options);
  return initializeAuth(app, { persistence: indexedDBLocalPersistence });
}
