// firebase auth the way most apps start: getAuth() in a browser registers IndexedDB,
// localStorage and sessionStorage persistence plus the popup/redirect resolver.
import { initializeApp } from "firebase/app";
import { getAuth } from "firebase/auth";

export function createBenchClient(options) {
  return getAuth(initializeApp(options));
}
