/** What every runtime serves: the sessions endpoint is a plain `(Request) => Response`. */
export type FetchHandler = (request: Request) => Promise<Response> | Response;

export interface NodeServer {
  /** `http://host:port`, the IPv6 literal in brackets. */
  url: string;
  port: number;
  /** Stops listening and closes every connection, idle keep-alive ones included (in every worker). */
  close(): Promise<void>;
}

/** A request the adapter answered itself, because no fetch Request can represent it. */
export interface RefusedRequest {
  method: string;
  /** The target's path, without the query. */
  path: string;
  status: number;
  code: string;
}

export interface NodeListenerOptions {
  /** Host for the Request's URL when the request has no `Host` header (HTTP/1.0). Default: the socket's local address. */
  hostname?: string;
  /**
   * Request bodies with a Content-Length up to this are read whole before the handler runs
   * (no web stream); larger or chunked ones are streamed. Default 65,536.
   */
  maxBufferedBodyBytes?: number;
  /** Told about every request answered 400/405 by the adapter itself (e.g. TRACE, `Host: exa mple`): a log line. */
  onRefused?: (request: RefusedRequest) => void;
}

/** A line from a cluster's primary (a worker replaced, a crash loop, a signal): `tessera serve` writes it as JSON. */
export type ClusterLog = (level: "info" | "warn" | "error", message: string, fields?: Record<string, string | number | boolean>) => void;
