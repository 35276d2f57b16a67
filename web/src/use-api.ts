import { useCallback, useEffect, useState } from 'react';

export type Loaded<T> =
  | { state: 'loading' }
  | { state: 'ready'; data: T }
  | { state: 'failed'; error: Error };

const loading = { state: 'loading' } as const;

export interface Reloadable<T> {
  loaded: Loaded<T>;
  /** Asks again for the same key; the last answer stays on screen until the new one arrives. */
  reload(): void;
  /** Shows an answer the page already has (what an action returned), without asking again. */
  set(data: T): void;
}

/**
 * Runs an API call whenever its key changes (null: no call). A newer call aborts the older one, and an answer
 * is only ever shown for the key it was asked for, so a stale answer never shows, not even for one frame.
 */
export function useReloadableApi<T>(key: string | null, load: (signal: AbortSignal) => Promise<T>): Reloadable<T> {
  const [result, setResult] = useState<{ key: string; loaded: Loaded<T> } | null>(null);
  const [revision, setRevision] = useState(0);
  useEffect(() => {
    if (key === null) return undefined;
    const controller = new AbortController();
    load(controller.signal).then(
      (data) => {
        if (!controller.signal.aborted) setResult({ key, loaded: { state: 'ready', data } });
      },
      (error: unknown) => {
        if (controller.signal.aborted) return;
        setResult({ key, loaded: { state: 'failed', error: error instanceof Error ? error : new Error(String(error)) } });
      },
    );
    return () => controller.abort();
    // `load` is a fresh closure every render; `key` and `revision` say when the request is really different.
  }, [key, revision]);
  const reload = useCallback(() => setRevision((value) => value + 1), []);
  const set = useCallback((data: T) => {
    if (key !== null) setResult({ key, loaded: { state: 'ready', data } });
  }, [key]);
  return { loaded: result !== null && result.key === key ? result.loaded : loading, reload, set };
}

export function useApi<T>(key: string | null, load: (signal: AbortSignal) => Promise<T>): Loaded<T> {
  return useReloadableApi(key, load).loaded;
}
