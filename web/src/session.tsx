import { createContext, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import type { ReactNode } from 'react';
import { fetchSession, signIn as signInWithPassword, signOut as endSession } from './session-api';
import type { Session } from './session-api';

export interface SessionState {
  /** undefined while a reloaded page asks the server who is signed in; null for a visitor. */
  session: Session | null | undefined;
  signIn(username: string, password: string): Promise<void>;
  signOut(): Promise<void>;
  /** The server said the session is gone (expired, or ended elsewhere): show the page as to a visitor. */
  forget(): void;
}

const SessionContext = createContext<SessionState | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<Session | null | undefined>(undefined);

  useEffect(() => {
    const controller = new AbortController();
    fetchSession(controller.signal).then(
      (found) => setSession((current) => (current === undefined ? found : current)),
      () => {
        // The server cannot be reached: the status bar says so; the page works as for a visitor meanwhile.
        if (!controller.signal.aborted) setSession((current) => (current === undefined ? null : current));
      },
    );
    return () => controller.abort();
  }, []);

  const signIn = useCallback(async (username: string, password: string) => {
    setSession(await signInWithPassword(username, password));
  }, []);

  const signOut = useCallback(async () => {
    try {
      await endSession(session?.csrfToken ?? null);
    } finally {
      // Even if the server could not be told, this page stops acting for the person who left.
      setSession(null);
    }
  }, [session]);

  const forget = useCallback(() => setSession(null), []);

  const value = useMemo(() => ({ session, signIn, signOut, forget }), [session, signIn, signOut, forget]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionState {
  const state = useContext(SessionContext);
  if (!state) throw new Error('useSession is used outside SessionProvider');
  return state;
}
