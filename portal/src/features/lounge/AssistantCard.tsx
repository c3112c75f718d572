import { Link } from 'react-router';
import { Avatar } from '../../components/status';
import type { Assistant } from './api/assistants';

export function AssistantCard({ assistant }: { assistant: Assistant }) {
  return (
    <li className="card assistant-card">
      <Avatar name={assistant.name} />
      <div>
        <h3>
          <Link to={`/assistants/${assistant.id}`}>{assistant.name}</Link>
        </h3>
        <p>{assistant.tagLine}</p>
        <p className="meta">
          {assistant.sessionType === 'coach' ? 'Coach' : 'Brainstorm'} · {assistant.sessionsStarted}{' '}
          session{assistant.sessionsStarted === 1 ? '' : 's'}
        </p>
      </div>
    </li>
  );
}

export function AssistantList({ items, label }: { items: Assistant[]; label: string }) {
  return (
    <ul className="cards" aria-label={label}>
      {items.map((assistant) => (
        <AssistantCard key={assistant.id} assistant={assistant} />
      ))}
    </ul>
  );
}
