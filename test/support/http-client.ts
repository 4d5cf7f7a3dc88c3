export interface TestResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export interface HttpClient {
  post<T = any>(path: string, body: unknown, headers?: Record<string, string>): Promise<TestResponse<T>>;
  get<T = any>(path: string, headers?: Record<string, string>): Promise<TestResponse<T>>;
  raw(path: string, init: RequestInit): Promise<TestResponse>;
}

/** Real HTTP (fetch) against a running server; bodies are parsed as JSON when they are JSON. */
export function httpClient(baseUrl: string): HttpClient {
  const base = baseUrl.replace('[::1]', '127.0.0.1');
  const raw = async (path: string, init: RequestInit): Promise<TestResponse> => {
    const response = await fetch(`${base}${path}`, init);
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
  };
}
