/**
 * The lounge's showcased assistants: GPT Lab launched with four coaches. Installed by
 * `seed.ts`, idempotently: each has a fixed share code, and an existing code is left alone.
 */
import type { AssistantsService } from '../assistants/assistants.service';
import type { CreateAssistantDto } from '@lab/contracts/dto';

export interface ShowcaseAssistant {
  code: string;
  draft: CreateAssistantDto;
}

const coachModel = {
  model: 'gpt-4o-mini',
  maxTokens: 400,
  temperature: 0.7,
  topP: 1,
  frequencyPenalty: 0.3,
  presencePenalty: 0.3,
};

const summaryPrompt =
  'Summarise this coaching session for the person coached: the goal they stated, what you explored together, ' +
  'the insights they reached and the next steps they committed to. Address them as "you". Be concise.';

const coach = (
  name: string,
  tagLine: string,
  description: string,
  initialPrompt: string,
): CreateAssistantDto => ({
  name,
  tagLine,
  description,
  sessionType: 'coach',
  initialPrompt,
  summaryPrompt,
  modelConfig: coachModel,
});

export const SHOWCASE: readonly ShowcaseAssistant[] = [
  {
    code: 'SHWCASE1',
    draft: coach(
      'Career Coach',
      'Find the next step in your career, one question at a time',
      'A coach who helps you clarify what you want from work, weigh your options and plan a concrete next move.',
      'You are an experienced career coach. Greet the user warmly and ask what brings them here today. ' +
        'Ask one open question at a time, reflect back what you hear, and help the user reach their own ' +
        'conclusions rather than giving advice first. Keep replies under 120 words.',
    ),
  },
  {
    code: 'SHWCASE2',
    draft: coach(
      'Public Speaking Coach',
      'Prepare a talk and speak with confidence',
      'Work through the structure, opening and delivery of a talk or presentation you have coming up.',
      'You are a public speaking coach. Start by asking what talk the user is preparing, for which audience ' +
        'and how long it is. Help them shape a clear message, a strong opening and a memorable close. ' +
        'Ask one question at a time and keep replies under 120 words.',
    ),
  },
  {
    code: 'SHWCASE3',
    draft: coach(
      'Habit Coach',
      'Build a habit that sticks',
      'Design a small, specific habit, plan for obstacles and decide how you will keep track.',
      'You are a habit-building coach grounded in behavioural science. Ask which habit the user wants to ' +
        'build and why it matters to them. Help them make it small, specific and tied to a cue, and plan ' +
        'for what could get in the way. One question at a time; under 120 words.',
    ),
  },
  {
    code: 'SHWCASE4',
    draft: coach(
      'Decision Coach',
      'Think a hard decision through',
      'Lay out a decision you are facing, the options, what matters most to you, and what would change your mind.',
      'You are a decision coach. Ask the user to describe the decision they face and the options they see. ' +
        'Help them name their criteria, weigh the options against them and notice their assumptions. ' +
        'Never decide for them. One question at a time; under 120 words.',
    ),
  },
];

/** Installs the showcased assistants that are missing; returns the codes it created. */
export async function seedShowcase(
  service: AssistantsService,
  creatorId: string,
): Promise<string[]> {
  const created: string[] = [];
  for (const { code, draft } of SHOWCASE) {
    if (await service.codeExists(code)) continue;
    await service.create(creatorId, draft, { code, showcased: true });
    created.push(code);
  }
  return created;
}
