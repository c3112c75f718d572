import { Link } from 'react-router';
import { PageTitle } from '../../app/Layout';
import { useAuth } from '../auth/auth-context';

export function HomePage() {
  const { identity } = useAuth();
  return (
    <section className="home">
      <PageTitle>GPT Lab</PageTitle>
      <p className="lead">
        Chat with AI assistants made for one job, or build your own from a prompt and share it with
        a code.
      </p>
      <ul className="home-actions">
        <li>
          <Link className="button" to="/lounge">
            Visit the lounge
          </Link>
        </li>
        <li>
          <Link className="button secondary" to="/lab">
            Build an assistant in the lab
          </Link>
        </li>
        {identity ? null : (
          <li>
            <Link className="button secondary" to="/sign-in">
              Sign in
            </Link>
          </li>
        )}
      </ul>
      <div className="cards three">
        <article className="card">
          <h2>Lounge</h2>
          <p>Showcased assistants, yours, and any assistant someone shared with you by its code.</p>
        </article>
        <article className="card">
          <h2>Chat</h2>
          <p>
            Replies stream as they are written. End a session for a recap; come back to any past
            session and go on.
          </p>
        </article>
        <article className="card">
          <h2>Lab</h2>
          <p>Write a prompt, pick a model, test it (nothing is stored), name it and share it.</p>
        </article>
      </div>
    </section>
  );
}
