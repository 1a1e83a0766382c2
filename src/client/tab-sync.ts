import { hasBroadcastChannel, hasDocument, unref } from "./runtime.js";
import type { StoredSession } from "./stored.js";
import type { EndReason } from "./types.js";

/** A change to one stored session, as announced locally and to other tabs. */
export type SessionEvent =
  | { type: "started" | "refreshed"; session: StoredSession }
  | { type: "ended"; reason: EndReason; sessionId: string };

/**
 * What one tab tells the others. Same-origin only (BroadcastChannel never crosses origins), and
 * never echoed to the channel object that posted it (HTML, "broadcasting to other browsing contexts").
 */
export type TabMessage = SessionEvent & { v: 1; key: string };

/**
 * Shares rotated sessions with other tabs over BroadcastChannel and re-checks sessions when
 * the page becomes visible again (timers sleep with a hidden tab). Who rotates is decided by a
 * Web Lock with a bounded wait (lifecycle.ts rotateOnce); single-flight per tab, the commit
 * guard and the server's grace window cover runtimes without locks and a lock given up.
 */
export function createTabSync(name: string | undefined, onMessage: (message: TabMessage) => void, onVisible: () => void) {
  const channel = name && hasBroadcastChannel() ? new BroadcastChannel(name) : undefined;
  const page = hasDocument();
  const visible = () => document.visibilityState === "visible" && onVisible();
  if (channel) {
    unref(channel);
    channel.onmessage = ({ data }: MessageEvent<TabMessage>) => {
      if (data?.v === 1 && typeof data.key === "string") onMessage(data);
    };
  }
  if (page) document.addEventListener("visibilitychange", visible);
  return {
    post: (message: SessionEvent & { key: string }) => channel?.postMessage({ v: 1, ...message }),
    close() {
      channel?.close();
      if (page) document.removeEventListener("visibilitychange", visible);
    },
  };
}
