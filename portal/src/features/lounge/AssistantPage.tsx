/** An assistant: its details, my past sessions with it, and the start of a new one. */
import { Link, useNavigate, useParams } from 'react-router';
import { PageTitle } from '../../app/Layout';
import { Avatar, Empty, ErrorNotice, Loading } from '../../components/status';
import { useAuth } from '../auth/auth-context';
import { useStartSession } from '../chat/api/sessions';
import { useAssistantDetails } from './api/assistants';

export default function AssistantPage() {
  const { id = '' } = useParams();
  const { identity } = useAuth();
  const details = useAssistantDetails(id);
  const start = useStartSession();
  const navigate = useNavigate();

  if (!identity) {
    return (
      <section>
        <PageTitle>Assistant</PageTitle>
        <p className="notice">
          <Link to="/sign-in" state={{ returnTo: `/assistants/${id}` }}>
            Sign in
          </Link>{' '}
          to see this assistant and chat with it.
        </p>
      </section>
    );
  }
  if (details.isPending) return <Loading what="the assistant" />;
  if (details.isError) {
    return (
      <section>
        <PageTitle>Assistant</PageTitle>
        <ErrorNotice error={details.error} onRetry={() => void details.refetch()} />
      </section>
    );
  }
  const { assistant, sessions } = details.data;
  return (
    <section>
      <div className="assistant-head">
        <Avatar name={assistant.name} />
        <div>
          <PageTitle>{assistant.name}</PageTitle>
          <p className="lead">{assistant.tagLine}</p>
        </div>
      </div>
      {assistant.description ? <p>{assistant.description}</p> : null}
      <dl className="facts">
        <dt>Kind</dt>
        <dd>{assistant.sessionType === 'coach' ? 'Coach' : 'Brainstorm'}</dd>
        <dt>Share code</dt>
        <dd>
          <code>{assistant.code}</code>
        </dd>
        <dt>Sessions</dt>
        <dd>
          {assistant.sessionsStarted} started, {assistant.sessionsEnded} ended
        </dd>
      </dl>
      {assistant.createdByYou ? (
        <p>
          <Link to={`/mine/${assistant.id}`}>Manage this assistant</Link>
        </p>
      ) : null}
      <button
        type="button"
        disabled={start.isPending || !assistant.active}
        onClick={() =>
          start.mutate(assistant.id, {
            onSuccess: (started) => void navigate(`/sessions/${started.session.id}`),
          })
        }
      >
        {start.isPending ? 'Starting…' : 'Start a session'}
      </button>
      {start.isError ? <ErrorNotice error={start.error} /> : null}
      <h2>My past sessions</h2>
      {sessions.items.length === 0 ? (
        <Empty>You have no sessions with {assistant.name} yet.</Empty>
      ) : (
        <ul className="sessions">
          {sessions.items.map((session) => (
            <li key={session.id}>
              <Link to={`/sessions/${session.id}`}>
                {session.status === 'active' ? 'Resume' : 'Read'} the session of{' '}
                {new Date(session.createdAt).toLocaleString()}
              </Link>{' '}
              <span className="meta">
                {session.status === 'active' ? 'active' : 'ended'} · {session.messageCount} messages
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
