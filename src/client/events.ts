import type { ChangeListener, SessionChange } from "./types.js";

/** A tiny listener set; a throwing listener must not break the lifecycle or other listeners. */
export interface Emitter {
  on(listener: ChangeListener): () => void;
  emit(change: SessionChange): void;
}

export function createEmitter(): Emitter {
  const listeners = new Set<ChangeListener>();
  return {
    on(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    emit(change) {
      for (const listener of [...listeners]) {
        try {
          listener(change);
        } catch (error) {
          // Rethrown outside our call stack so the app still sees it in its error reporting.
          queueMicrotask(() => {
            throw error;
          });
        }
      }
    },
  };
}
