/**
 * The lab's draft: what step 1 to 3 collect, the test chat's thread, and where the person is.
 * It is kept in sessionStorage, so leaving the lab and coming back (seed 000: the lab's state is
 * separate from the assistant pages) finds it as it was. It never holds a credential.
 */
import type { Schemas } from '@lab/client';

export type ModelConfig = Schemas['ModelConfigDto'];
export type Thread = Schemas['Thread'];
export type Step = 1 | 2 | 3 | 4;

export interface LabDraft {
  step: Step;
  sessionType: 'brainstorm' | 'coach';
  initialPrompt: string;
  summaryPrompt: string;
  modelConfig: ModelConfig;
  name: string;
  tagLine: string;
  description: string;
  /** The test chat (step 2); nothing of it is stored on the platform. */
  thread: Thread | null;
  /** Once created (step 4). */
  created: { id: string; code: string; name: string } | null;
}

export const DRAFT_KEY = 'lab.draft';

export function newDraft(): LabDraft {
  return {
    step: 1,
    sessionType: 'coach',
    initialPrompt: '',
    summaryPrompt:
      'Summarise this session for the person in a few bullet points: what was discussed, what was decided, and the next steps.',
    modelConfig: {
      model: 'gpt-4o-mini',
      maxTokens: 400,
      temperature: 0.7,
      topP: 1,
      frequencyPenalty: 0,
      presencePenalty: 0,
    },
    name: '',
    tagLine: '',
    description: '',
    thread: null,
    created: null,
  };
}

export function loadDraft(storage: Storage = sessionStorage): LabDraft {
  try {
    const stored = storage.getItem(DRAFT_KEY);
    if (!stored) return newDraft();
    return { ...newDraft(), ...(JSON.parse(stored) as Partial<LabDraft>) };
  } catch {
    return newDraft();
  }
}

export function saveDraft(draft: LabDraft, storage: Storage = sessionStorage): void {
  storage.setItem(DRAFT_KEY, JSON.stringify(draft));
}

export interface Problem {
  field: string;
  message: string;
}

const within = (value: number, min: number, max: number) =>
  Number.isFinite(value) && value >= min && value <= max;

/** Step 1: the prompt and the model configuration. */
export function problemsOfStep1(draft: LabDraft, maxOutputTokens?: number): Problem[] {
  const problems: Problem[] = [];
  const c = draft.modelConfig;
  if (!draft.initialPrompt.trim()) {
    problems.push({ field: 'initialPrompt', message: 'Write the initial prompt.' });
  }
  if (!draft.summaryPrompt.trim()) {
    problems.push({ field: 'summaryPrompt', message: 'Write the summary prompt.' });
  }
  if (!c.model) problems.push({ field: 'model', message: 'Pick a model.' });
  if (!within(c.temperature, 0, 2)) {
    problems.push({ field: 'temperature', message: 'Temperature is between 0 and 2.' });
  }
  if (!within(c.topP, 0, 1)) problems.push({ field: 'topP', message: 'Top P is between 0 and 1.' });
  if (!within(c.frequencyPenalty, -2, 2)) {
    problems.push({ field: 'frequencyPenalty', message: 'Frequency penalty is between -2 and 2.' });
  }
  if (!within(c.presencePenalty, -2, 2)) {
    problems.push({ field: 'presencePenalty', message: 'Presence penalty is between -2 and 2.' });
  }
  const maxTokens = maxOutputTokens ?? Number.MAX_SAFE_INTEGER;
  if (!Number.isInteger(c.maxTokens) || !within(c.maxTokens, 1, maxTokens)) {
    problems.push({
      field: 'maxTokens',
      message:
        maxOutputTokens === undefined
          ? 'Max tokens is a whole number of at least 1.'
          : `Max tokens is a whole number from 1 to ${maxOutputTokens} for this model.`,
    });
  }
  return problems;
}

/** Step 3: the details others see. */
export function problemsOfStep3(draft: LabDraft): Problem[] {
  const problems: Problem[] = [];
  if (!draft.name.trim()) problems.push({ field: 'name', message: 'Give the assistant a name.' });
  if (draft.name.length > 80) problems.push({ field: 'name', message: 'At most 80 characters.' });
  if (!draft.tagLine.trim()) problems.push({ field: 'tagLine', message: 'Write a tag line.' });
  if (draft.tagLine.length > 160) {
    problems.push({ field: 'tagLine', message: 'At most 160 characters.' });
  }
  if (draft.description.length > 2000) {
    problems.push({ field: 'description', message: 'At most 2000 characters.' });
  }
  return problems;
}

/** The furthest step the draft may go to now. */
export function furthestStep(draft: LabDraft, maxOutputTokens?: number): Step {
  if (draft.created) return 4;
  if (problemsOfStep1(draft, maxOutputTokens).length > 0) return 1;
  return 3;
}

export function labDraftOf(draft: LabDraft): Schemas['LabDraftDto'] {
  return {
    sessionType: draft.sessionType,
    initialPrompt: draft.initialPrompt,
    summaryPrompt: draft.summaryPrompt,
    modelConfig: draft.modelConfig,
  };
}

export function createRequestOf(draft: LabDraft): Schemas['CreateAssistantDto'] {
  return {
    ...labDraftOf(draft),
    name: draft.name.trim(),
    tagLine: draft.tagLine.trim(),
    description: draft.description.trim(),
  };
}
