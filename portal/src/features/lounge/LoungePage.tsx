/**
 * The lounge: showcased assistants (read-only for visitors), my assistants, search, and
 * finding an assistant by the share code someone gave you.
 */
import { type FormEvent, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { PageTitle } from '../../app/Layout';
import { Empty, ErrorNotice, Loading } from '../../components/status';
import { useAuth } from '../auth/auth-context';
import { useAssistantSearch, useFindByCode, useLounge, useMyAssistants } from './api/assistants';
import { AssistantList } from './AssistantCard';

type Tab = 'showcased' | 'mine';

export default function LoungePage() {
  const { identity } = useAuth();
  const [tab, setTab] = useState<Tab>('showcased');
  return (
    <section>
      <PageTitle>Lounge</PageTitle>
      {identity ? (
        <div className="tools">
          <FindByCode />
          <Search />
        </div>
      ) : (
        <p className="notice">
          You are browsing as a visitor. <Link to="/sign-in">Sign in</Link> to chat with an
          assistant, find one by its share code or build your own.
        </p>
      )}
      {identity ? (
        <div role="tablist" aria-label="Assistants" className="tabs">
          <button
            type="button"
            role="tab"
            id="tab-showcased"
            aria-selected={tab === 'showcased'}
            aria-controls="panel-showcased"
            onClick={() => setTab('showcased')}
          >
            Showcased
          </button>
          <button
            type="button"
            role="tab"
            id="tab-mine"
            aria-selected={tab === 'mine'}
            aria-controls="panel-mine"
            onClick={() => setTab('mine')}
          >
            My assistants
          </button>
        </div>
      ) : null}
      {tab === 'showcased' || !identity ? (
        <div
          role={identity ? 'tabpanel' : undefined}
          id="panel-showcased"
          aria-labelledby={identity ? 'tab-showcased' : undefined}
        >
          <Showcased />
        </div>
      ) : (
        <div role="tabpanel" id="panel-mine" aria-labelledby="tab-mine">
          <Mine />
        </div>
      )}
    </section>
  );
}

function Showcased() {
  const lounge = useLounge();
  if (lounge.isPending) return <Loading what="the lounge" />;
  if (lounge.isError)
    return <ErrorNotice error={lounge.error} onRetry={() => void lounge.refetch()} />;
  if (lounge.data.items.length === 0) return <Empty>No assistant is showcased yet.</Empty>;
  return (
    <>
      <h2>Showcased assistants</h2>
      <AssistantList items={lounge.data.items} label="Showcased assistants" />
    </>
  );
}

function Mine() {
  const mine = useMyAssistants();
  if (mine.isPending) return <Loading what="your assistants" />;
  if (mine.isError) return <ErrorNotice error={mine.error} onRetry={() => void mine.refetch()} />;
  if (mine.data.items.length === 0) {
    return (
      <Empty>
        You have not built an assistant yet. <Link to="/lab">Build one in the lab</Link>.
      </Empty>
    );
  }
  return (
    <>
      <h2>My assistants</h2>
      <AssistantList items={mine.data.items} label="My assistants" />
    </>
  );
}

function FindByCode() {
  const find = useFindByCode();
  const navigate = useNavigate();
  const [code, setCode] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    find.mutate(code, {
      onSuccess: (assistant) => void navigate(`/assistants/${assistant.id}`),
    });
  };
  return (
    <form className="inline-form" onSubmit={submit} role="search" aria-label="Find by share code">
      <label htmlFor="share-code">Share code</label>
      <input
        id="share-code"
        value={code}
        onChange={(event) => setCode(event.target.value)}
        placeholder="e.g. 7K2M-9XQ4"
        autoComplete="off"
        spellCheck={false}
        required
      />
      <button type="submit" disabled={find.isPending}>
        Find
      </button>
      {find.isError ? <ErrorNotice error={find.error} /> : null}
    </form>
  );
}

function Search() {
  const [draft, setDraft] = useState('');
  const [q, setQ] = useState('');
  const results = useAssistantSearch(q);
  return (
    <div>
      <form
        className="inline-form"
        role="search"
        aria-label="Search assistants"
        onSubmit={(event) => {
          event.preventDefault();
          setQ(draft.trim());
        }}
      >
        <label htmlFor="search">Search</label>
        <input
          id="search"
          type="search"
          value={draft}
          onChange={(event) => setDraft(event.target.value)}
          placeholder="Name or tag line"
        />
        <button type="submit">Search</button>
      </form>
      {q ? (
        results.isPending ? (
          <Loading what="results" />
        ) : results.isError ? (
          <ErrorNotice error={results.error} />
        ) : results.data.items.length === 0 ? (
          <Empty>No assistant matches “{q}”.</Empty>
        ) : (
          <>
            <h2>Results for “{q}”</h2>
            <AssistantList items={results.data.items} label={`Results for ${q}`} />
          </>
        )
      ) : null}
    </div>
  );
}
