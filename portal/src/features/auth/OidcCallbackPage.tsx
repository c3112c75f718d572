/** Where the identity provider sends the browser back: the code becomes an access token. */
import { useEffect, useRef, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { PageTitle } from '../../app/Layout';
import { ErrorNotice, Loading } from '../../components/status';
import { usePortalConfig } from '../../lib/portal-config';
import { useAuth } from './auth-context';
import { completeOidcSignIn } from './oidc';

export default function OidcCallbackPage() {
  const config = usePortalConfig();
  const { signIn } = useAuth();
  const navigate = useNavigate();
  const [error, setError] = useState<unknown>(null);
  const started = useRef(false);
  const oidc = config.data?.oidc;

  useEffect(() => {
    if (!oidc || started.current) return;
    started.current = true;
    const url = new URL(window.location.href);
    completeOidcSignIn(oidc, url)
      .then(async ({ accessToken, returnTo }) => {
        await signIn('oidc', accessToken);
        void navigate(['/', '/sign-in'].includes(returnTo) ? '/lounge' : returnTo, {
          replace: true,
        });
      })
      .catch(setError);
  }, [oidc, signIn, navigate]);

  return (
    <section className="narrow">
      <PageTitle>Signing you in</PageTitle>
      {error ? (
        <>
          <ErrorNotice error={error} />
          <p>
            <Link to="/sign-in">Back to sign-in</Link>
          </p>
        </>
      ) : config.data && !oidc ? (
        <p>Organisation sign-in is not set up on this platform.</p>
      ) : (
        <Loading what="your sign-in" />
      )}
    </section>
  );
}
