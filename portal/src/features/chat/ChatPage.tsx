/**
 * A session: its messages (resumed from the platform), the reply streaming in as it is
 * written, a stop button, files up and down, and the end of the session with its recap.
 */
import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { Link, useParams } from 'react-router';
import { PageTitle } from '../../app/Layout';
import Markdown from '../../components/Markdown';
import { Empty, ErrorNotice, Loading } from '../../components/status';
import { apiErrorFrom, StreamInterruptedError } from '../../lib/errors';
import { applyTurnEvent, emptyReply, type StreamedReply } from '../../lib/stream';
import { useAuth } from '../auth/auth-context';
import { useAssistantDetails } from '../lounge/api/assistants';
import {
  type Attachment,
  useAttachments,
  useDownload,
  useEndSession,
  useSendMessage,
  useSession,
  useUpload,
} from './api/sessions';

interface Turn {
  question: string;
  reply: StreamedReply;
  stopped: boolean;
}

export default function ChatPage() {
  const { id = '' } = useParams();
  const { identity } = useAuth();
  const session = useSession(id);
  const assistantId = session.data?.session.assistantId ?? '';
  const assistant = useAssistantDetails(assistantId);
  const name = assistant.data?.assistant.name ?? 'The assistant';

  if (!identity) {
    return (
      <section>
        <PageTitle>Session</PageTitle>
        <p className="notice">
          <Link to="/sign-in" state={{ returnTo: `/sessions/${id}` }}>
            Sign in
          </Link>{' '}
          to open this session.
        </p>
      </section>
    );
  }
  if (session.isPending) return <Loading what="the session" />;
  if (session.isError) {
    return (
      <section>
        <PageTitle>Session</PageTitle>
        <ErrorNotice error={session.error} onRetry={() => void session.refetch()} />
        <p>
          <Link to="/lounge">Back to the lounge</Link>
        </p>
      </section>
    );
  }
  const { messages, recap } = session.data;
  const ended = session.data.session.status === 'ended';
  return (
    <section className="chat">
      <PageTitle>{`Session with ${name}`}</PageTitle>
      <p className="meta">
        {assistantId ? <Link to={`/assistants/${assistantId}`}>About {name}</Link> : null} · started{' '}
        {new Date(session.data.session.createdAt).toLocaleString()}
        {ended ? ' · ended' : ''}
      </p>
      {ended ? (
        <section className="recap" aria-labelledby="recap-title">
          <h2 id="recap-title">Recap</h2>
          {recap ? <Markdown text={recap} /> : <p>This session ended without a recap.</p>}
        </section>
      ) : null}
      <h2 className="visually-hidden">Messages</h2>
      <ol className="messages" aria-label="Messages">
        {messages.map((message) => (
          <li key={message.position} className={`message message-${message.role}`}>
            <p className="speaker">{message.role === 'user' ? 'You' : name}</p>
            {message.role === 'user' ? (
              <p className="user-text">{message.content}</p>
            ) : (
              <Markdown text={message.content} />
            )}
          </li>
        ))}
      </ol>
      {messages.length === 0 ? <Empty>No messages yet.</Empty> : null}
      {ended ? (
        <p>
          <Link to={`/assistants/${assistantId}`}>Start a new session with {name}</Link>
        </p>
      ) : (
        <Conversation
          sessionId={id}
          name={name}
          storedCount={messages.length}
          onStored={() => void session.refetch()}
        />
      )}
      <Files sessionId={id} ended={ended} />
    </section>
  );
}

function Conversation({
  sessionId,
  name,
  storedCount,
  onStored,
}: {
  sessionId: string;
  name: string;
  /** Messages stored so far: a stopped reply is awaited until it is stored. */
  storedCount: number;
  onStored: () => void;
}) {
  const send = useSendMessage(sessionId);
  const end = useEndSession(sessionId);
  const [draft, setDraft] = useState('');
  const [turn, setTurn] = useState<Turn | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [streaming, setStreaming] = useState(false);
  const abort = useRef<AbortController | null>(null);
  const queryClient = useQueryClient();
  // A stopped reply goes on being written and stored by the platform: poll until it is there.
  const [awaitingAbove, setAwaitingAbove] = useState<number | null>(null);
  useEffect(() => {
    if (awaitingAbove === null) return;
    if (storedCount > awaitingAbove) {
      setAwaitingAbove(null);
      setTurn(null);
      return;
    }
    const timer = setInterval(onStored, 1500);
    return () => clearInterval(timer);
  }, [awaitingAbove, storedCount, onStored]);

  const [guarded, setGuarded] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const question = draft.trim();
    if (!question || streaming) return;
    setError(null);
    setGuarded(false);
    setDraft('');
    setTurn({ question, reply: emptyReply, stopped: false });
    setStreaming(true);
    const controller = new AbortController();
    abort.current = controller;
    let reply = emptyReply;
    try {
      await send(
        question,
        (turnEvent) => {
          reply = applyTurnEvent(reply, turnEvent);
          setTurn((current) => (current ? { ...current, reply } : current));
        },
        controller.signal,
      );
      if (reply.error) throw apiErrorFrom(0, reply.error);
      await queryClient.invalidateQueries({ queryKey: ['session', sessionId] });
      await queryClient.invalidateQueries({ queryKey: ['attachments', sessionId] });
      setGuarded(reply.guarded);
      setTurn(null);
    } catch (failure) {
      if (controller.signal.aborted) {
        setTurn((current) => (current ? { ...current, stopped: true } : current));
        setAwaitingAbove(storedCount);
      } else {
        setError(failure);
        if (!(failure instanceof StreamInterruptedError)) {
          // Nothing was answered: the message goes back into the box, to send again.
          setDraft(question);
          setTurn(null);
        }
      }
    } finally {
      setStreaming(false);
      abort.current = null;
    }
  };

  return (
    <>
      {turn ? (
        <ol className="messages" aria-label="Current exchange">
          <li className="message message-user">
            <p className="speaker">You</p>
            <p className="user-text">{turn.question}</p>
          </li>
          <li className="message message-assistant" aria-busy={streaming}>
            <p className="speaker">{name}</p>
            {turn.reply.text ? (
              <Markdown text={turn.reply.text} />
            ) : streaming ? (
              <p role="status">{name} is writing…</p>
            ) : null}
            {turn.stopped ? (
              <p role="status" className="notice">
                You stopped the reply. The platform still finishes and saves it: it appears here in
                full as soon as it is stored.
              </p>
            ) : null}
          </li>
        </ol>
      ) : null}
      {guarded ? (
        <p role="status" className="notice notice-warning">
          Guarded reply: the assistant&apos;s reply repeated its hidden instructions, so it was
          withheld and a safe reply is shown instead.
        </p>
      ) : null}
      {error ? (
        <ErrorNotice
          error={error}
          onRetry={() => {
            setError(null);
            setTurn(null);
            onStored();
          }}
        />
      ) : null}
      <form className="composer" onSubmit={(event) => void submit(event)}>
        <label htmlFor="message">Your message</label>
        <textarea
          id="message"
          value={draft}
          rows={3}
          required
          onChange={(event) => setDraft(event.target.value)}
          onKeyDown={(event) => {
            if (event.key === 'Enter' && !event.shiftKey) {
              event.preventDefault();
              event.currentTarget.form?.requestSubmit();
            }
          }}
        />
        <p className="hint">Enter sends; Shift+Enter starts a new line.</p>
        <div className="row">
          {streaming ? (
            <button type="button" className="danger" onClick={() => abort.current?.abort()}>
              Stop
            </button>
          ) : (
            <button type="submit">Send</button>
          )}
          <button
            type="button"
            className="secondary"
            disabled={streaming || end.isPending}
            onClick={() => end.mutate()}
          >
            {end.isPending ? 'Ending and writing the recap…' : 'End session'}
          </button>
        </div>
        {end.isError ? <ErrorNotice error={end.error} /> : null}
      </form>
    </>
  );
}

function Files({ sessionId, ended }: { sessionId: string; ended: boolean }) {
  const files = useAttachments(sessionId);
  const upload = useUpload(sessionId);
  const download = useDownload(sessionId);
  const [downloadError, setDownloadError] = useState<unknown>(null);
  return (
    <section className="files" aria-labelledby="files-title">
      <h2 id="files-title">Files</h2>
      {files.isPending ? (
        <Loading what="files" />
      ) : files.isError ? (
        <ErrorNotice error={files.error} />
      ) : files.data.items.length === 0 ? (
        <Empty>No files in this session.</Empty>
      ) : (
        <ul>
          {(files.data.items as Attachment[]).map((file) => (
            <li key={file.id}>
              <button
                type="button"
                className="link"
                onClick={() => void download(file).catch(setDownloadError)}
              >
                Download {file.name}
              </button>{' '}
              <span className="meta">
                {file.origin === 'user' ? 'from you' : 'from the assistant'} ·{' '}
                {Math.max(1, Math.round(file.size / 1024))} KB
              </span>
            </li>
          ))}
        </ul>
      )}
      {downloadError ? <ErrorNotice error={downloadError} /> : null}
      {ended ? null : (
        <div className="upload">
          <label htmlFor="attachment">Attach a file (text, Markdown, CSV or PDF, up to 1 MB)</label>
          <input
            id="attachment"
            type="file"
            accept=".txt,.md,.csv,.pdf,text/plain,text/markdown,text/csv,application/pdf"
            disabled={upload.isPending}
            onChange={(event) => {
              const file = event.target.files?.[0];
              if (file) upload.mutate(file, { onSettled: () => (event.target.value = '') });
            }}
          />
          {upload.isPending ? <p role="status">Uploading…</p> : null}
          {upload.isSuccess ? <p role="status">Uploaded {upload.data.name}.</p> : null}
          {upload.isError ? <ErrorNotice error={upload.error} /> : null}
        </div>
      )}
    </section>
  );
}
