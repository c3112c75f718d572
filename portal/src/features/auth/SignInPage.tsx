/**
 * Sign-in: your own OpenAI key (a password field the browser's password manager can fill; the
 * key stays in this tab's memory) or the organisation's OpenID Connect provider.
 */
import { type FormEvent, useState } from 'react';
import { useLocation, useNavigate } from 'react-router';
import { PageTitle } from '../../app/Layout';
import { ErrorNotice } from '../../components/status';
import { usePortalConfig } from '../../lib/portal-config';
import { useAuth } from './auth-context';
import { beginOidcSignIn } from './oidc';

export function SignInPage() {
  const { signIn } = useAuth();
  const navigate = useNavigate();
  const location = useLocation();
  const config = usePortalConfig();
  const returnTo = (location.state as { returnTo?: string } | null)?.returnTo ?? '/lounge';
  const [key, setKey] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn('byok', key.trim());
      setKey('');
      // From the home page (or nowhere in particular), signing in leads to the lounge.
      void navigate(['/', '/sign-in'].includes(returnTo) ? '/lounge' : returnTo);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  const oidc = config.data?.oidc ?? null;
  return (
    <section className="narrow">
      <PageTitle>Sign in</PageTitle>
      <form onSubmit={(event) => void submit(event)} className="stack" aria-busy={busy}>
        <h2>With your own OpenAI key</h2>
        <p className="hint" id="key-hint">
          Your key is used for your chats and kept only in this tab&apos;s memory: it is never saved
          in the browser, and signing out or closing the tab forgets it. The platform knows you by a
          one-way hash of it.
        </p>
        <label htmlFor="openai-key">OpenAI API key</label>
        <input
          id="openai-key"
          name="password"
          type="password"
          autoComplete="current-password"
          aria-describedby="key-hint"
          required
          minLength={8}
          value={key}
          onChange={(event) => setKey(event.target.value)}
        />
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in with my key'}
        </button>
        {error ? <ErrorNotice error={error} /> : null}
      </form>
      {oidc ? (
        <div className="stack">
          <h2>With your organisation</h2>
          <button
            type="button"
            className="secondary"
            onClick={() => void beginOidcSignIn(oidc, returnTo).catch(setError)}
          >
            Sign in with your organisation
          </button>
        </div>
      ) : null}
    </section>
  );
}
