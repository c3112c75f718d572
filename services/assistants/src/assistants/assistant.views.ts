/**
 * What each reader may see of an assistant. Everyone: its public face and counters. Its creator:
 * also the active prompts and model config, and the versions. Prompts leave this service only
 * through the creator's views and the internal snapshot for the sessions service.
 */
import type { AssistantEntity, SessionType } from './entities/assistant.entity';
import type { ModelConfigVersionEntity } from './entities/model-config-version.entity';
import type { PromptVersionEntity } from './entities/prompt-version.entity';

export interface PublicAssistantView {
  id: string;
  code: string;
  name: string;
  tagLine: string;
  description: string;
  sessionType: SessionType;
  showcased: boolean;
  active: boolean;
  sessionsStarted: number;
  sessionsEnded: number;
  createdAt: string;
  modifiedAt: string;
  createdByYou: boolean;
}

export interface PromptVersionView {
  id: string;
  number: number;
  initialPrompt: string;
  summaryPrompt: string;
  sessionsStarted: number;
  sessionsEnded: number;
  createdAt: string;
  active: boolean;
}

export interface ModelConfigVersionView {
  id: string;
  number: number;
  model: string;
  maxTokens: number;
  temperature: number;
  topP: number;
  frequencyPenalty: number;
  presencePenalty: number;
  createdAt: string;
  active: boolean;
}

export interface CreatorAssistantView extends PublicAssistantView {
  version: number;
  guardThreshold: number;
  guardCanary: boolean;
  guardSemantic: boolean;
  guardSemanticThreshold: number;
  activePromptVersion: PromptVersionView | null;
  activeModelConfigVersion: ModelConfigVersionView | null;
}

export function publicView(assistant: AssistantEntity, callerId: string): PublicAssistantView {
  return {
    id: assistant.id,
    code: assistant.code,
    name: assistant.name,
    tagLine: assistant.tagLine,
    description: assistant.description,
    sessionType: assistant.sessionType,
    showcased: assistant.showcased,
    active: assistant.active,
    sessionsStarted: assistant.sessionsStarted,
    sessionsEnded: assistant.sessionsEnded,
    createdAt: assistant.createdAt.toISOString(),
    modifiedAt: assistant.modifiedAt.toISOString(),
    createdByYou: assistant.creatorId === callerId,
  };
}

export function promptVersionView(
  version: PromptVersionEntity,
  activeId: string | null,
): PromptVersionView {
  return {
    id: version.id,
    number: version.number,
    initialPrompt: version.initialPrompt,
    summaryPrompt: version.summaryPrompt,
    sessionsStarted: version.sessionsStarted,
    sessionsEnded: version.sessionsEnded,
    createdAt: version.createdAt.toISOString(),
    active: version.id === activeId,
  };
}

export function modelConfigVersionView(
  version: ModelConfigVersionEntity,
  activeId: string | null,
): ModelConfigVersionView {
  return {
    id: version.id,
    number: version.number,
    model: version.model,
    maxTokens: version.maxTokens,
    temperature: version.temperature,
    topP: version.topP,
    frequencyPenalty: version.frequencyPenalty,
    presencePenalty: version.presencePenalty,
    createdAt: version.createdAt.toISOString(),
    active: version.id === activeId,
  };
}

export function creatorView(
  assistant: AssistantEntity,
  prompt: PromptVersionEntity | null,
  modelConfig: ModelConfigVersionEntity | null,
): CreatorAssistantView {
  return {
    ...publicView(assistant, assistant.creatorId),
    version: assistant.version,
    guardThreshold: assistant.guardThreshold,
    guardCanary: assistant.guardCanary,
    guardSemantic: assistant.guardSemantic,
    guardSemanticThreshold: assistant.guardSemanticThreshold,
    activePromptVersion: prompt ? promptVersionView(prompt, assistant.activePromptVersionId) : null,
    activeModelConfigVersion: modelConfig
      ? modelConfigVersionView(modelConfig, assistant.activeModelConfigVersionId)
      : null,
  };
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
