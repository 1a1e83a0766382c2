import { Agent, request } from "node:http";

export interface Sent {
  /** performance.now() once the whole request was written. */
  sentAt: number;
  status?: number;
  body?: { sessionId?: string; token?: string };
  error?: string;
}

/** One POST over a keep-alive agent; resolves with what came back, never rejects. */
function post(agent: Agent, url: URL, path: string, headers: Record<string, string>, body: unknown): Promise<Sent> {
  return new Promise((resolve) => {
    const text = JSON.stringify(body);
    const record: Sent = { sentAt: Infinity };
    const req = request(new URL(path, url), { method: "POST", agent, headers: { ...headers, "content-type": "application/json", "content-length": Buffer.byteLength(text) } }, (res) => {
      let answer = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (answer += chunk));
      res.on("end", () => {
        record.status = res.statusCode;
        try {
          record.body = JSON.parse(answer);
        } catch {
          record.error = "incomplete body";
        }
        resolve(record);
      });
      res.on("error", (error) => resolve({ ...record, error: error.message }));
    });
    req.on("error", (error) => resolve({ ...record, error: (error as NodeJS.ErrnoException).code ?? error.message }));
    req.end(text, () => (record.sentAt = performance.now()));
  });
}

/**
 * `concurrency` loops starting sessions back to back over keep-alive connections until `until()`
 * says stop; every request and its outcome is recorded.
 */
export function startLoad(url: string, secretKey: string, scope: object, concurrency: number, until: () => boolean): { answered(): number; done: Promise<Sent[]> } {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const sent: Sent[] = [];
  let n = 0;
  const loop = async () => {
    while (!until()) {
      const outcome = await post(agent, new URL(url), "/v1/sessions/start", { authorization: `Bearer ${secretKey}` }, { ...scope, data: { userId: `user-${n++}` } });
      sent.push(outcome);
      // A refused connection means the server is gone: nothing more to send.
      if (outcome.error === "ECONNREFUSED") break;
    }
  };
  const done = Promise.all(Array.from({ length: concurrency }, loop)).then(() => {
    agent.destroy();
    return sent;
  });
  return { answered: () => sent.length, done };
}
