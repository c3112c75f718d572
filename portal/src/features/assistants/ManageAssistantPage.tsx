/**
 * My assistant, for its creator only: edit the details, see the prompt, add prompt and
 * model-config versions, activate an older one (roll back), deactivate.
 */
import { type FormEvent, useState } from 'react';
import { Link, useParams } from 'react-router';
import { PageTitle } from '../../app/Layout';
import { Field } from '../../components/Field';
import { Empty, ErrorNotice, Loading } from '../../components/status';
import { useAuth } from '../auth/auth-context';
import { type ModelId, useModelRegistry } from '../lab/api/lab';
import { type Assistant, useAssistantDetails } from '../lounge/api/assistants';
import {
  type ModelConfigVersion,
  type PromptVersion,
  useActivateVersion,
  useAddModelConfigVersion,
  useAddPromptVersion,
  useDeactivate,
  useModelConfigVersions,
  usePromptVersions,
  useUpdateDetails,
} from './api/manage';

export default function ManageAssistantPage() {
  const { id = '' } = useParams();
  const { identity } = useAuth();
  const details = useAssistantDetails(id);
  if (!identity) {
    return (
      <section>
        <PageTitle>Manage assistant</PageTitle>
        <p className="notice">
          <Link to="/sign-in" state={{ returnTo: `/mine/${id}` }}>
            Sign in
          </Link>{' '}
          to manage your assistant.
        </p>
      </section>
    );
  }
  if (details.isPending) return <Loading what="the assistant" />;
  if (details.isError || !details.data.assistant.createdByYou) {
    return (
      <section>
        <PageTitle>Manage assistant</PageTitle>
        <ErrorNotice
          error={
            details.error ??
            Object.assign(new Error('Only the creator of an assistant can manage it.'), {})
          }
        />
      </section>
    );
  }
  const assistant = details.data.assistant;
  return (
    <section>
      <PageTitle>{`Manage ${assistant.name}`}</PageTitle>
      <p className="meta">
        Share code <code>{assistant.code}</code> · {assistant.active ? 'active' : 'deactivated'} ·{' '}
        <Link to={`/assistants/${assistant.id}`}>Open its page</Link>
      </p>
      <Details assistant={assistant} />
      <Prompts id={assistant.id} />
      <ModelConfigs id={assistant.id} />
      <Deactivate assistant={assistant} />
    </section>
  );
}

function Details({ assistant }: { assistant: Assistant }) {
  const save = useUpdateDetails(assistant.id);
  const [name, setName] = useState(assistant.name);
  const [tagLine, setTagLine] = useState(assistant.tagLine);
  const [description, setDescription] = useState(assistant.description);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate({ version: assistant.version ?? 1, name, tagLine, description });
  };
  return (
    <form className="stack card" onSubmit={submit}>
      <h2>Details</h2>
      <Field id="edit-name" label="Name">
        <input value={name} required maxLength={80} onChange={(e) => setName(e.target.value)} />
      </Field>
      <Field id="edit-tag-line" label="Tag line">
        <input
          value={tagLine}
          required
          maxLength={160}
          onChange={(e) => setTagLine(e.target.value)}
        />
      </Field>
      <Field id="edit-description" label="Description">
        <textarea rows={3} value={description} onChange={(e) => setDescription(e.target.value)} />
      </Field>
      <div className="row">
        <button type="submit" disabled={save.isPending}>
          Save details
        </button>
      </div>
      {save.isSuccess ? <p role="status">Details saved.</p> : null}
      {save.isError ? <ErrorNotice error={save.error} /> : null}
    </form>
  );
}

function Prompts({ id }: { id: string }) {
  const versions = usePromptVersions(id);
  const add = useAddPromptVersion(id);
  const activate = useActivateVersion(id);
  const active = versions.data?.find((v) => v.active);
  const [initialPrompt, setInitialPrompt] = useState<string | null>(null);
  const [summaryPrompt, setSummaryPrompt] = useState<string | null>(null);
  if (versions.isPending) return <Loading what="the prompt versions" />;
  if (versions.isError) return <ErrorNotice error={versions.error} />;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    add.mutate(
      {
        initialPrompt: initialPrompt ?? active?.initialPrompt ?? '',
        summaryPrompt: summaryPrompt ?? active?.summaryPrompt ?? '',
      },
      {
        onSuccess: () => {
          setInitialPrompt(null);
          setSummaryPrompt(null);
        },
      },
    );
  };
  return (
    <section className="card stack" aria-labelledby="prompts-title">
      <h2 id="prompts-title">Prompt versions</h2>
      <p className="hint">Only you see the prompts; people chatting with it never do.</p>
      <VersionTable
        caption="Prompt versions"
        versions={versions.data}
        describe={(v: PromptVersion) => `${v.sessionsStarted} sessions`}
        onActivate={(versionId) => activate.mutate({ kind: 'prompt', versionId })}
        busy={activate.isPending}
      />
      {activate.isError ? <ErrorNotice error={activate.error} /> : null}
      {active ? (
        <>
          <h3>Active prompt (version {active.number})</h3>
          <pre className="prompt" aria-label="Active prompt">
            {active.initialPrompt}
          </pre>
        </>
      ) : null}
      <form className="stack" onSubmit={submit}>
        <h3>New prompt version</h3>
        <Field id="new-initial-prompt" label="New initial prompt">
          <textarea
            rows={5}
            required
            value={initialPrompt ?? active?.initialPrompt ?? ''}
            onChange={(e) => setInitialPrompt(e.target.value)}
          />
        </Field>
        <Field id="new-summary-prompt" label="New summary prompt">
          <textarea
            rows={2}
            required
            value={summaryPrompt ?? active?.summaryPrompt ?? ''}
            onChange={(e) => setSummaryPrompt(e.target.value)}
          />
        </Field>
        <div className="row">
          <button type="submit" disabled={add.isPending}>
            Save as a new version
          </button>
        </div>
        {add.isSuccess ? <p role="status">New prompt version saved and active.</p> : null}
        {add.isError ? <ErrorNotice error={add.error} /> : null}
      </form>
    </section>
  );
}

function ModelConfigs({ id }: { id: string }) {
  const versions = useModelConfigVersions(id);
  const registry = useModelRegistry();
  const add = useAddModelConfigVersion(id);
  const activate = useActivateVersion(id);
  const [model, setModel] = useState<ModelId | null>(null);
  const [temperature, setTemperature] = useState<string | null>(null);
  const [maxTokens, setMaxTokens] = useState<string | null>(null);
  if (versions.isPending) return <Loading what="the model configurations" />;
  if (versions.isError) return <ErrorNotice error={versions.error} />;
  const active = versions.data.find((v) => v.active);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!active) return;
    add.mutate(
      {
        modelConfig: {
          model: model ?? active.model,
          maxTokens: Number(maxTokens ?? active.maxTokens),
          temperature: Number(temperature ?? active.temperature),
          topP: active.topP,
          frequencyPenalty: active.frequencyPenalty,
          presencePenalty: active.presencePenalty,
        },
      },
      {
        onSuccess: () => {
          setModel(null);
          setTemperature(null);
          setMaxTokens(null);
        },
      },
    );
  };
  return (
    <section className="card stack" aria-labelledby="configs-title">
      <h2 id="configs-title">Model configuration versions</h2>
      <VersionTable
        caption="Model configuration versions"
        versions={versions.data}
        describe={(v: ModelConfigVersion) =>
          `${v.model}, temperature ${v.temperature}, max ${v.maxTokens} tokens`
        }
        onActivate={(versionId) => activate.mutate({ kind: 'model-config', versionId })}
        busy={activate.isPending}
      />
      {active ? (
        <form className="stack" onSubmit={submit}>
          <h3>New model configuration</h3>
          <div className="grid">
            <Field id="new-model" label="Model">
              <select
                value={model ?? active.model}
                onChange={(e) => setModel(e.target.value as ModelId)}
              >
                {(registry.data?.items ?? [{ id: active.model }]).map((m) => (
                  <option key={m.id} value={m.id}>
                    {m.id}
                  </option>
                ))}
              </select>
            </Field>
            <Field id="new-temperature" label="Temperature">
              <input
                type="number"
                min={0}
                max={2}
                step={0.1}
                value={temperature ?? String(active.temperature)}
                onChange={(e) => setTemperature(e.target.value)}
              />
            </Field>
            <Field id="new-max-tokens" label="Max tokens">
              <input
                type="number"
                min={1}
                step={1}
                value={maxTokens ?? String(active.maxTokens)}
                onChange={(e) => setMaxTokens(e.target.value)}
              />
            </Field>
          </div>
          <div className="row">
            <button type="submit" disabled={add.isPending}>
              Save as a new configuration
            </button>
          </div>
          {add.isSuccess ? <p role="status">New model configuration saved and active.</p> : null}
          {add.isError ? <ErrorNotice error={add.error} /> : null}
        </form>
      ) : null}
    </section>
  );
}

function VersionTable<
  V extends { id: string; number: number; createdAt: string; active: boolean },
>({
  caption,
  versions,
  describe,
  onActivate,
  busy,
}: {
  caption: string;
  versions: V[];
  describe: (version: V) => string;
  onActivate: (versionId: string) => void;
  busy: boolean;
}) {
  if (versions.length === 0) return <Empty>No versions yet.</Empty>;
  return (
    <div className="table-scroll">
      <table>
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Version</th>
            <th scope="col">Created</th>
            <th scope="col">What</th>
            <th scope="col">State</th>
          </tr>
        </thead>
        <tbody>
          {versions.map((version) => (
            <tr key={version.id}>
              <th scope="row">{version.number}</th>
              <td>{new Date(version.createdAt).toLocaleString()}</td>
              <td>{describe(version)}</td>
              <td>
                {version.active ? (
                  <strong>Active</strong>
                ) : (
                  <button
                    type="button"
                    className="secondary"
                    disabled={busy}
                    onClick={() => onActivate(version.id)}
                  >
                    Activate version {version.number}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Deactivate({ assistant }: { assistant: Assistant }) {
  const deactivate = useDeactivate(assistant.id);
  const [confirming, setConfirming] = useState(false);
  if (!assistant.active) {
    return <p className="notice">This assistant is deactivated: it is out of every listing.</p>;
  }
  return (
    <section className="card stack" aria-labelledby="deactivate-title">
      <h2 id="deactivate-title">Deactivate</h2>
      <p>Takes the assistant out of every listing; past sessions stay readable.</p>
      {confirming ? (
        <div className="row">
          <button type="button" className="danger" onClick={() => deactivate.mutate()}>
            Yes, deactivate {assistant.name}
          </button>
          <button type="button" className="secondary" onClick={() => setConfirming(false)}>
            Cancel
          </button>
        </div>
      ) : (
        <div className="row">
          <button type="button" className="danger" onClick={() => setConfirming(true)}>
            Deactivate…
          </button>
        </div>
      )}
      {deactivate.isError ? <ErrorNotice error={deactivate.error} /> : null}
    </section>
  );
}
