import { useCallback, useState } from 'react';
import { ApiError } from './api';
import { useSession } from './session';

export interface Action {
  busy: boolean;
  error: Error | null;
  /** Runs one change; its error is kept to show beside the button that made it. Resolves to null on failure. */
  run<T>(change: () => Promise<T>): Promise<T | null>;
  clear(): void;
}

/** One change the officer makes (upload, submit, approve...): busy while it runs, and the server's answer if it fails. */
export function useAction(): Action {
  const { forget } = useSession();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const run = useCallback(
    async <T,>(change: () => Promise<T>): Promise<T | null> => {
      setBusy(true);
      setError(null);
      try {
        return await change();
      } catch (caught) {
        const failure = caught instanceof Error ? caught : new Error(String(caught));
        // The session ended (expired, or the account was disabled): the page must stop acting as signed in.
        if (failure instanceof ApiError && failure.status === 401) forget();
        setError(failure);
        return null;
      } finally {
        setBusy(false);
      }
    },
    [forget],
  );
  const clear = useCallback(() => setError(null), []);
  return { busy, error, run, clear };
}
