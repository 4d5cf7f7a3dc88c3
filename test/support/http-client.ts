import { Agent, fetch as undiciFetch, type RequestInit as UndiciRequestInit } from 'undici';

export interface TestResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export interface HttpClient {
  post<T = any>(path: string, body: unknown, headers?: Record<string, string>): Promise<TestResponse<T>>;
  get<T = any>(path: string, headers?: Record<string, string>): Promise<TestResponse<T>>;
  patch<T = any>(path: string, body: unknown, headers?: Record<string, string>): Promise<TestResponse<T>>;
  delete<T = any>(path: string, headers?: Record<string, string>): Promise<TestResponse<T>>;
  raw(path: string, init: RequestInit): Promise<TestResponse>;
}

export interface ClientOptions {
  /**
   * The address requests come from. Every address in 127.0.0.0/8 is this machine, so a test
   * can play several clients, each with its own per-address budget, without a proxy.
   */
  localAddress?: string;
}

/** Real HTTP (fetch) against a running server; bodies are parsed as JSON when they are JSON. */
export function httpClient(baseUrl: string, { localAddress }: ClientOptions = {}): HttpClient {
  const base = baseUrl.replace('[::1]', '127.0.0.1');
  // undici's Client takes localAddress itself; inside `connect` the Client's own (unset) value overrides it.
  const dispatcher = localAddress ? new Agent({ localAddress }) : undefined;
  const send = (url: string, init: RequestInit): Promise<Response> =>
    dispatcher ? undiciFetch(url, { ...(init as UndiciRequestInit), dispatcher }) : fetch(url, init);
  const raw = async (path: string, init: RequestInit): Promise<TestResponse> => {
    const response = await send(`${base}${path}`, init);
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // Not JSON (e.g. the Swagger UI page): keep the text.
    }
    return { status: response.status, headers: response.headers, body };
  };
  return {
    raw,
    post: (path, body, headers = {}) =>
      raw(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      }),
    get: (path, headers = {}) => raw(path, { method: 'GET', headers }),
    patch: (path, body, headers = {}) =>
      raw(path, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      }),
    delete: (path, headers = {}) => raw(path, { method: 'DELETE', headers }),
  };
}
