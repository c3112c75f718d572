import type { EndpointKind, SessionType } from './turns';

/**
 * Everything a session needs of the assistant version it pins, prompts included: the assistants
 * service's internal snapshot, returned only to the sessions service, never to a user.
 */
export interface AssistantSnapshot {
  assistantId: string;
  name: string;
  sessionType: SessionType;
  active: boolean;
  guardThreshold: number;
  /** Optional so a snapshot from before decision 0013 still reads; absent = off. */
  guardCanary?: boolean;
  guardSemantic?: boolean;
  guardSemanticThreshold?: number;
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
