import { useState } from 'react';
import type { FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ProblemMessage } from './problem-message';
import { useSession } from './session';
import type { SignedInUser } from './session-api';

function SignInForm({ onDone }: { onDone: () => void }) {
  const { t } = useTranslation();
  const { signIn } = useSession();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(username.trim(), password);
      onDone();
    } catch (caught) {
      setError(caught instanceof Error ? caught : new Error(String(caught)));
      setBusy(false);
    }
  };
  return (
    <form className="sign-in" onSubmit={(event) => void submit(event)} data-testid="sign-in-form" aria-label={t('session.signIn')}>
      <label>
        {t('session.username')}
        <input value={username} onChange={(event) => setUsername(event.target.value)} autoComplete="username" autoCapitalize="none" spellCheck={false} required autoFocus data-testid="sign-in-username" />
      </label>
      <label>
        {t('session.password')}
        <input type="password" value={password} onChange={(event) => setPassword(event.target.value)} autoComplete="current-password" required data-testid="sign-in-password" />
      </label>
      <button type="submit" className="button button--primary" disabled={busy} data-testid="sign-in-submit">
        {busy ? t('session.signingIn') : t('session.signIn')}
      </button>
      <ProblemMessage error={error} />
    </form>
  );
}

function SignedIn({ user, onSignOut }: { user: SignedInUser; onSignOut: () => void }) {
  const { t } = useTranslation();
  return (
    <div className="signed-in" data-testid="signed-in">
      <span className="signed-in__who">
        <strong data-testid="signed-in-user">{user.username}</strong>
        <span className="signed-in__role">
          {t(`roles.${user.role}`, { defaultValue: user.role })} · {user.organisation}
        </span>
      </span>
      <button type="button" className="topbar__button" onClick={onSignOut} data-testid="sign-out">
        {t('session.signOut')}
      </button>
    </div>
  );
}

/** The top bar's corner: a sign-in form for a visitor, who is signed in (role, organisation) and signing out. */
export function SessionBar({ onSignedOut }: { onSignedOut: () => void }) {
  const { t } = useTranslation();
  const { session, signOut } = useSession();
  const [open, setOpen] = useState(false);
  if (session === undefined) return null;
  if (session) {
    return <SignedIn user={session.user} onSignOut={() => void signOut().finally(onSignedOut)} />;
  }
  return (
    <div className="session-bar">
      <button type="button" className="topbar__button" aria-expanded={open} onClick={() => setOpen((shown) => !shown)} data-testid="sign-in-open">
        {t('session.signIn')}
      </button>
      {open ? (
        <div className="session-bar__popover">
          <SignInForm onDone={() => setOpen(false)} />
        </div>
      ) : null}
    </div>
  );
}
