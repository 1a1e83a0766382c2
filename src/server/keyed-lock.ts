/**
 * Runs the tasks given for one key one after the other, in call order; tasks of different keys
 * run concurrently. A key with nothing queued holds no memory. A task that throws rejects its
 * own call only: the next one still runs.
 */
export type KeyedLock = <T>(key: string, task: () => Promise<T>) => Promise<T>;

export function createKeyedLock(): KeyedLock {
  const tails = new Map<string, Promise<unknown>>();
  return async (key, task) => {
    const result = (tails.get(key) ?? Promise.resolve()).then(task);
    const tail = result.then(
      () => {},
      () => {},
    );
    tails.set(key, tail);
    try {
      return await result;
    } finally {
      // Last in line: nobody queued behind this task.
      if (tails.get(key) === tail) tails.delete(key);
    }
  };
}
