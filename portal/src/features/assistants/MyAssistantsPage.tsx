import { Link } from 'react-router';
import { PageTitle } from '../../app/Layout';
import { Avatar, Empty, ErrorNotice, Loading } from '../../components/status';
import { useAuth } from '../auth/auth-context';
import { useMyAssistants } from '../lounge/api/assistants';

export default function MyAssistantsPage() {
  const { identity } = useAuth();
  const mine = useMyAssistants();
  return (
    <section>
      <PageTitle>My assistants</PageTitle>
      {!identity ? (
        <p className="notice">
          <Link to="/sign-in" state={{ returnTo: '/mine' }}>
            Sign in
          </Link>{' '}
          to see the assistants you built.
        </p>
      ) : mine.isPending ? (
        <Loading what="your assistants" />
      ) : mine.isError ? (
        <ErrorNotice error={mine.error} onRetry={() => void mine.refetch()} />
      ) : mine.data.items.length === 0 ? (
        <Empty>
          You have not built an assistant yet. <Link to="/lab">Build one in the lab</Link>.
        </Empty>
      ) : (
        <ul className="cards" aria-label="My assistants">
          {mine.data.items.map((assistant) => (
            <li key={assistant.id} className="card assistant-card">
              <Avatar name={assistant.name} />
              <div>
                <h2 className="h3">
                  <Link to={`/mine/${assistant.id}`}>{assistant.name}</Link>
                </h2>
                <p>{assistant.tagLine}</p>
                <p className="meta">
                  Code <code>{assistant.code}</code> · {assistant.active ? 'active' : 'deactivated'}{' '}
                  · {assistant.sessionsStarted} sessions
                </p>
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
