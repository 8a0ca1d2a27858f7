/** Hash routes (#/page/arg?key=value): the console is static files, so the server needs no routing. */
import { useEffect, useState } from 'react';

export interface Route {
  readonly page: string;
  readonly args: readonly string[];
  readonly params: URLSearchParams;
}

export function parseRoute(hash: string): Route {
  const [path = '', search = ''] = hash.replace(/^#\/?/, '').split('?');
  const [page = '', ...args] = path.split('/').filter(Boolean).map(decodeURIComponent);
  return { page: page || 'feature-sets', args, params: new URLSearchParams(search) };
}

export function href(page: string, args: readonly (string | number)[] = [], params: Record<string, string | number> = {}): string {
  const path = [page, ...args.map((arg) => encodeURIComponent(String(arg)))].join('/');
  const search = new URLSearchParams(Object.entries(params).map(([key, value]) => [key, String(value)])).toString();
  return `#/${path}${search ? `?${search}` : ''}`;
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
