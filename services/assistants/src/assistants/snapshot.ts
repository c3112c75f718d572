import type { EndpointKind } from '@lab/conversation';
import type { SessionType } from './entities/assistant.entity';

/**
 * Everything a session needs of the assistant version it pins, prompts included. Returned only
 * to the sessions service (internal token), never to a user.
 */
export interface AssistantSnapshot {
  assistantId: string;
  name: string;
  sessionType: SessionType;
  active: boolean;
  guardThreshold: number;
  promptVersion: { id: string; number: number; initialPrompt: string; summaryPrompt: string };
  modelConfigVersion: {
    id: string;
    number: number;
    model: string;
    endpoint: EndpointKind;
    contextWindow: number;
    maxTokens: number;
    temperature: number;
    topP: number;
    frequencyPenalty: number;
    presencePenalty: number;
  };
}
