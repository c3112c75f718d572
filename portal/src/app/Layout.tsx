/** The frame of every page: skip link, header with the main navigation and sign-in, footer. */
import { useEffect, useRef } from 'react';
import { Link, NavLink, Outlet, useLocation, useNavigate, useNavigation } from 'react-router';
import { useAuth } from '../features/auth/auth-context';

export function Layout() {
  const { identity, signOut } = useAuth();
  const navigate = useNavigate();
  const location = useLocation();
  const navigation = useNavigation();
  const main = useRef<HTMLElement>(null);

  // After a client-side navigation, focus moves to the new page (as a page load would).
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    main.current?.focus();
  }, [location.pathname]);

  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="site-header">
        <Link to="/" className="brand">
          GPT Lab
        </Link>
        <nav aria-label="Main">
          <ul>
            <li>
              <NavLink to="/lounge">Lounge</NavLink>
            </li>
            <li>
              <NavLink to="/lab">Lab</NavLink>
            </li>
            {identity ? (
              <>
                <li>
                  <NavLink to="/mine">My assistants</NavLink>
                </li>
                <li>
                  <NavLink to="/usage">Usage</NavLink>
                </li>
                {identity.me.scopes.includes('admin') ? (
                  <li>
                    <NavLink to="/ops">Ops</NavLink>
                  </li>
                ) : null}
              </>
            ) : null}
          </ul>
        </nav>
        <div className="account">
          {identity ? (
            <>
              <span className="who">
                {identity.kind === 'byok' ? 'Signed in with your key' : 'Signed in (organisation)'}
              </span>
              <button
                type="button"
                className="secondary"
                onClick={() => {
                  signOut();
                  void navigate('/');
                }}
              >
                Sign out
              </button>
            </>
          ) : (
            <Link className="button" to="/sign-in" state={{ returnTo: location.pathname }}>
              Sign in
            </Link>
          )}
        </div>
      </header>
      <main id="main" ref={main} tabIndex={-1} aria-busy={navigation.state === 'loading'}>
        <Outlet />
      </main>
      <footer className="site-footer">
        <nav aria-label="About">
          <ul>
            <li>
              <Link to="/faq">FAQ</Link>
            </li>
            <li>
              <Link to="/terms">Terms</Link>
            </li>
            <li>
              <Link to="/privacy">Privacy</Link>
            </li>
          </ul>
        </nav>
      </footer>
    </>
  );
}

/** A page's heading and the document title, together. */
export function PageTitle({ children }: { children: string }) {
  useEffect(() => {
    document.title = `${children} · GPT Lab`;
  }, [children]);
  return <h1>{children}</h1>;
}
