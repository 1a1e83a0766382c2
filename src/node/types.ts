/** What every runtime serves: the sessions endpoint is a plain `(Request) => Response` (issue 3). */
export type FetchHandler = (request: Request) => Promise<Response> | Response;

export interface NodeServer {
  /** `http://host:port`, the IPv6 literal in brackets. */
  url: string;
  port: number;
  /** Stops listening and closes every connection, idle keep-alive ones included. */
  close(): Promise<void>;
}

export interface NodeListenerOptions {
  /** Host for the Request's URL when the request has no `Host` header (HTTP/1.0). Default: the socket's local address. */
  hostname?: string;
}
