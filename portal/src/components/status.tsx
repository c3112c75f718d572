/** Loading, empty and error states, the same on every page. */
import type { ReactNode } from 'react';
import { Link, useLocation } from 'react-router';
import { describeError } from '../lib/errors';

export function Loading({ what }: { what: string }) {
  return (
    <p role="status" className="status">
      Loading {what}…
    </p>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>;
}

export function ErrorNotice({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const words = describeError(error);
  const location = useLocation();
  return (
    <div role="alert" className="notice notice-error">
      <p className="notice-title">{words.title}</p>
      <p>{words.detail}</p>
      {words.action === 'sign-in' ? (
        <p>
          <Link to="/sign-in" state={{ returnTo: location.pathname }}>
            Sign in again
          </Link>
        </p>
      ) : null}
      {(words.action === 'retry' || words.action === 'resume') && onRetry ? (
        <button type="button" className="secondary" onClick={onRetry}>
          {words.action === 'resume' ? 'Reload the conversation' : 'Try again'}
        </button>
      ) : null}
    </div>
  );
}

export function Avatar({ name }: { name: string }) {
  const initials = name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((word) => word[0]?.toUpperCase() ?? '')
    .join('');
  let hash = 0;
  for (const char of name) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return (
    <span className={`avatar avatar-${hash % 6}`} aria-hidden="true">
      {initials || '?'}
    </span>
  );
}
