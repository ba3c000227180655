import type { TestApp } from './app';

export interface ApiAnswer {
  status: number;
  /** The parsed JSON answer (undefined for an empty one, a 204). */
  body: any;
}

/** A caller of the app's admin API with the admin token: `api('POST', '/api/customers', {...})`. */
export function adminApi(app: () => TestApp): (method: string, url: string, body?: unknown) => Promise<ApiAnswer> {
  return async (method, url, body) => {
    const res = await fetch(`${app().appUrl}${url}`, {
      method,
      headers: { ...app().auth, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
}
