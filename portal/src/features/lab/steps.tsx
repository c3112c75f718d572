/** The lab's four steps, each a form over the draft. */
import type { UseQueryResult } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Link } from 'react-router';
import { Field } from '../../components/Field';
import Markdown from '../../components/Markdown';
import { ErrorNotice, Loading } from '../../components/status';
import {
  type LabDraft,
  type ModelConfig,
  type Problem,
  problemsOfStep1,
  problemsOfStep3,
} from './draft';
import { type ModelId, useCreateAssistant, useLabTurn } from './api/lab';

type Update = (change: Partial<LabDraft>) => void;

interface RegistryModel {
  id: string;
  endpoint: string;
  contextWindow: number;
  maxOutputTokens: number;
}

const problemOf = (problems: Problem[], field: string) =>
  problems.find((p) => p.field === field)?.message;

export function StepPrompt({
  draft,
  update,
  registry,
  onNext,
}: {
  draft: LabDraft;
  update: Update;
  registry: UseQueryResult<{ items: RegistryModel[] }>;
  onNext: () => void;
}) {
  const [tried, setTried] = useState(false);
  const models = registry.data?.items ?? [];
  const maxOutput = models.find((m) => m.id === draft.modelConfig.model)?.maxOutputTokens;
  const problems = tried ? problemsOfStep1(draft, maxOutput) : [];
  const config = (change: Partial<ModelConfig>) =>
    update({ modelConfig: { ...draft.modelConfig, ...change }, thread: null });
  const numeric = (key: keyof ModelConfig) => (event: { target: { value: string } }) =>
    config({ [key]: event.target.value === '' ? Number.NaN : Number(event.target.value) });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    if (problemsOfStep1(draft, maxOutput).length === 0) onNext();
  };
  return (
    <form className="stack" onSubmit={submit} noValidate>
      <h2>Step 1: prompt and model</h2>
      <Field
        id="initial-prompt"
        label="Initial prompt"
        hint="Who the assistant is and how it behaves. Only you can ever read it."
        problem={problemOf(problems, 'initialPrompt')}
      >
        <textarea
          rows={6}
          value={draft.initialPrompt}
          onChange={(event) => update({ initialPrompt: event.target.value, thread: null })}
        />
      </Field>
      <fieldset>
        <legend>Session type</legend>
        <label className="choice">
          <input
            type="radio"
            name="session-type"
            value="coach"
            checked={draft.sessionType === 'coach'}
            onChange={() => update({ sessionType: 'coach', thread: null })}
          />
          Coach: long conversations, older parts summarised
        </label>
        <label className="choice">
          <input
            type="radio"
            name="session-type"
            value="brainstorm"
            checked={draft.sessionType === 'brainstorm'}
            onChange={() => update({ sessionType: 'brainstorm', thread: null })}
          />
          Brainstorm: keeps the last 20 messages
        </label>
      </fieldset>
      <Field
        id="summary-prompt"
        label="Summary prompt"
        hint="How the recap is written when a session ends."
        problem={problemOf(problems, 'summaryPrompt')}
      >
        <textarea
          rows={3}
          value={draft.summaryPrompt}
          onChange={(event) => update({ summaryPrompt: event.target.value })}
        />
      </Field>
      <fieldset>
        <legend>Model configuration</legend>
        {registry.isPending ? <Loading what="the models" /> : null}
        {registry.isError ? <ErrorNotice error={registry.error} /> : null}
        <div className="grid">
          <Field id="model" label="Model" problem={problemOf(problems, 'model')}>
            <select
              value={draft.modelConfig.model}
              onChange={(event) => config({ model: event.target.value as ModelId })}
            >
              {models.length === 0 ? (
                <option value={draft.modelConfig.model}>{draft.modelConfig.model}</option>
              ) : null}
              {models.map((model) => (
                <option key={model.id} value={model.id}>
                  {model.id} ({Math.round(model.contextWindow / 1000)}k context)
                </option>
              ))}
            </select>
          </Field>
          <Field
            id="max-tokens"
            label="Max tokens"
            hint={maxOutput ? `Up to ${maxOutput} for this model.` : undefined}
            problem={problemOf(problems, 'maxTokens')}
          >
            <input
              type="number"
              min={1}
              step={1}
              value={Number.isNaN(draft.modelConfig.maxTokens) ? '' : draft.modelConfig.maxTokens}
              onChange={numeric('maxTokens')}
            />
          </Field>
          <Field id="temperature" label="Temperature" problem={problemOf(problems, 'temperature')}>
            <input
              type="number"
              min={0}
              max={2}
              step={0.1}
              value={
                Number.isNaN(draft.modelConfig.temperature) ? '' : draft.modelConfig.temperature
              }
              onChange={numeric('temperature')}
            />
          </Field>
          <Field id="top-p" label="Top P" problem={problemOf(problems, 'topP')}>
            <input
              type="number"
              min={0}
              max={1}
              step={0.05}
              value={Number.isNaN(draft.modelConfig.topP) ? '' : draft.modelConfig.topP}
              onChange={numeric('topP')}
            />
          </Field>
          <Field
            id="frequency-penalty"
            label="Frequency penalty"
            problem={problemOf(problems, 'frequencyPenalty')}
          >
            <input
              type="number"
              min={-2}
              max={2}
              step={0.1}
              value={
                Number.isNaN(draft.modelConfig.frequencyPenalty)
                  ? ''
                  : draft.modelConfig.frequencyPenalty
              }
              onChange={numeric('frequencyPenalty')}
            />
          </Field>
          <Field
            id="presence-penalty"
            label="Presence penalty"
            problem={problemOf(problems, 'presencePenalty')}
          >
            <input
              type="number"
              min={-2}
              max={2}
              step={0.1}
              value={
                Number.isNaN(draft.modelConfig.presencePenalty)
                  ? ''
                  : draft.modelConfig.presencePenalty
              }
              onChange={numeric('presencePenalty')}
            />
          </Field>
        </div>
      </fieldset>
      {problems.length > 0 ? (
        <p role="alert" className="problem">
          Please fix {problems.length} problem{problems.length === 1 ? '' : 's'} above.
        </p>
      ) : null}
      <div className="row">
        <button type="submit">Next: test chat</button>
      </div>
    </form>
  );
}

export function StepTestChat({
  draft,
  update,
  onBack,
  onNext,
}: {
  draft: LabDraft;
  update: Update;
  onBack: () => void;
  onNext: () => void;
}) {
  const turn = useLabTurn();
  const [message, setMessage] = useState('');
  const messages = draft.thread?.messages ?? [];
  const run = (text?: string) =>
    turn.mutate(
      { draft, ...(text ? { message: text } : {}) },
      {
        onSuccess: (result) => {
          update({ thread: result.thread });
          setMessage('');
        },
      },
    );
  return (
    <div className="stack">
      <h2>Step 2: test chat</h2>
      <p className="notice">
        This is a test: nothing in this chat is stored, and it is not counted as a session.
      </p>
      {messages.length === 0 && !turn.isPending ? (
        <button type="button" onClick={() => run()}>
          Start the test chat
        </button>
      ) : null}
      <ol className="messages" aria-label="Test chat">
        {messages.map((m, index) => (
          <li key={index} className={`message message-${m.role}`}>
            <p className="speaker">{m.role === 'user' ? 'You' : 'Your assistant'}</p>
            {m.role === 'user' ? (
              <p className="user-text">{m.content}</p>
            ) : (
              <Markdown text={m.content} />
            )}
          </li>
        ))}
      </ol>
      {turn.isPending ? <p role="status">Your assistant is writing…</p> : null}
      {turn.isError ? <ErrorNotice error={turn.error} /> : null}
      {turn.data?.guardHit ? (
        <p role="status" className="notice notice-warning">
          Guarded reply: the model repeated your prompt, so the platform replaced its reply.
        </p>
      ) : null}
      {messages.length > 0 ? (
        <form
          className="composer"
          onSubmit={(event) => {
            event.preventDefault();
            if (message.trim()) run(message.trim());
          }}
        >
          <label htmlFor="lab-message">Test message</label>
          <textarea
            id="lab-message"
            rows={2}
            value={message}
            onChange={(event) => setMessage(event.target.value)}
          />
          <div className="row">
            <button type="submit" disabled={turn.isPending}>
              Send test message
            </button>
            <button type="button" className="secondary" onClick={() => update({ thread: null })}>
              Start the test over
            </button>
          </div>
        </form>
      ) : null}
      <div className="row">
        <button type="button" className="secondary" onClick={onBack}>
          Back: prompt and model
        </button>
        <button type="button" onClick={onNext}>
          Next: details
        </button>
      </div>
    </div>
  );
}

export function StepDetails({
  draft,
  update,
  onBack,
}: {
  draft: LabDraft;
  update: Update;
  onBack: () => void;
}) {
  const create = useCreateAssistant();
  const [tried, setTried] = useState(false);
  const problems = tried ? problemsOfStep3(draft) : [];
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    if (problemsOfStep3(draft).length > 0) return;
    create.mutate(draft, {
      onSuccess: (assistant) =>
        update({
          step: 4,
          created: { id: assistant.id, code: assistant.code, name: assistant.name },
          thread: null,
        }),
    });
  };
  return (
    <form className="stack" onSubmit={submit} noValidate>
      <h2>Step 3: details</h2>
      <p className="hint">What people see in the lounge. Your prompt stays yours.</p>
      <Field id="name" label="Name" problem={problemOf(problems, 'name')}>
        <input
          value={draft.name}
          maxLength={80}
          onChange={(event) => update({ name: event.target.value })}
        />
      </Field>
      <Field id="tag-line" label="Tag line" problem={problemOf(problems, 'tagLine')}>
        <input
          value={draft.tagLine}
          maxLength={160}
          onChange={(event) => update({ tagLine: event.target.value })}
        />
      </Field>
      <Field id="description" label="Description" problem={problemOf(problems, 'description')}>
        <textarea
          rows={4}
          value={draft.description}
          onChange={(event) => update({ description: event.target.value })}
        />
      </Field>
      <p className="hint">
        To have it showcased in the lounge, send its share code to your platform team once it is
        created.
      </p>
      {create.isError ? <ErrorNotice error={create.error} /> : null}
      <div className="row">
        <button type="button" className="secondary" onClick={onBack}>
          Back: test chat
        </button>
        <button type="submit" disabled={create.isPending}>
          {create.isPending ? 'Creating…' : 'Create the assistant'}
        </button>
      </div>
    </form>
  );
}

export function StepConfirmation({
  draft,
  onStartOver,
}: {
  draft: LabDraft;
  onStartOver: () => void;
}) {
  const [copied, setCopied] = useState<'yes' | 'no' | null>(null);
  const created = draft.created;
  if (!created) return null;
  return (
    <div className="stack">
      <h2>Step 4: confirmation</h2>
      <p role="status">{created.name} is ready. Share its code so others can find it.</p>
      <div className="share-code row">
        <label htmlFor="share-code-value">Share code</label>
        <input id="share-code-value" readOnly value={created.code} size={10} />
        <button
          type="button"
          className="secondary"
          onClick={() =>
            void navigator.clipboard.writeText(created.code).then(
              () => setCopied('yes'),
              () => setCopied('no'),
            )
          }
        >
          Copy the code
        </button>
      </div>
      {copied === 'yes' ? <p role="status">Copied.</p> : null}
      {copied === 'no' ? (
        <p role="status">Copying is not allowed here: select the code and copy it.</p>
      ) : null}
      <div className="row">
        <Link className="button" to={`/assistants/${created.id}`}>
          Chat with {created.name}
        </Link>
        <Link className="button secondary" to={`/mine/${created.id}`}>
          Manage it
        </Link>
        <button type="button" className="secondary" onClick={onStartOver}>
          Build another assistant
        </button>
      </div>
    </div>
  );
}
