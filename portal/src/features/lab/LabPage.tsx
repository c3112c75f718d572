/**
 * The lab, in four steps (seed 000): 1 the prompt and model configuration, 2 a test chat
 * (nothing stored), 3 the details others see, 4 the confirmation with the share code.
 */
import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { PageTitle } from '../../app/Layout';
import { useAuth } from '../auth/auth-context';
import { furthestStep, loadDraft, type LabDraft, newDraft, saveDraft, type Step } from './draft';
import { useModelRegistry } from './api/lab';
import { StepConfirmation, StepDetails, StepPrompt, StepTestChat } from './steps';

const STEPS: Array<{ step: Step; title: string }> = [
  { step: 1, title: 'Prompt and model' },
  { step: 2, title: 'Test chat' },
  { step: 3, title: 'Details' },
  { step: 4, title: 'Confirmation' },
];

export default function LabPage() {
  const { identity } = useAuth();
  const [draft, setDraft] = useState<LabDraft>(() => loadDraft());
  const registry = useModelRegistry();
  useEffect(() => saveDraft(draft), [draft]);

  if (!identity) {
    return (
      <section>
        <PageTitle>Lab</PageTitle>
        <p className="notice">
          <Link to="/sign-in" state={{ returnTo: '/lab' }}>
            Sign in
          </Link>{' '}
          to build an assistant: the lab tests your prompt with a real model.
        </p>
      </section>
    );
  }
  const models = registry.data?.items ?? [];
  const maxOutput = models.find((m) => m.id === draft.modelConfig.model)?.maxOutputTokens;
  const furthest = furthestStep(draft, maxOutput);
  const update = (change: Partial<LabDraft>) => setDraft((current) => ({ ...current, ...change }));
  const goTo = (step: Step) => update({ step });

  return (
    <section>
      <PageTitle>Lab</PageTitle>
      <nav aria-label="Lab steps">
        <ol className="steps">
          {STEPS.map(({ step, title }) => (
            <li key={step}>
              <button
                type="button"
                className="step"
                aria-current={draft.step === step ? 'step' : undefined}
                disabled={step > furthest || (draft.created !== null && step !== 4)}
                onClick={() => goTo(step)}
              >
                <span className="step-number">Step {step}</span> {title}
              </button>
            </li>
          ))}
        </ol>
      </nav>
      {draft.step === 1 ? (
        <StepPrompt draft={draft} update={update} registry={registry} onNext={() => goTo(2)} />
      ) : draft.step === 2 ? (
        <StepTestChat draft={draft} update={update} onBack={() => goTo(1)} onNext={() => goTo(3)} />
      ) : draft.step === 3 ? (
        <StepDetails draft={draft} update={update} onBack={() => goTo(2)} />
      ) : (
        <StepConfirmation draft={draft} onStartOver={() => setDraft(newDraft())} />
      )}
    </section>
  );
}
