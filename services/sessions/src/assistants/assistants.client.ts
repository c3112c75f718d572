/**
 * The assistants service's snapshot of a pinned assistant version, prompts included (this
 * service's token is the only one allowed it). Versions never change once written, so snapshots
 * are cached briefly; assistant-level settings (guard threshold) follow within the TTL.
 */
import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { findModel } from '@lab/conversation';
import type { AssistantSnapshot, TurnAssistant } from '@lab/contracts';
import { ApiException, notFound } from '@lab/platform/http';
import { SESSIONS_CONFIG, type SessionsConfig } from '../config/sessions.config';

const CACHE_TTL_MS = 30_000;

export function turnAssistant(snapshot: AssistantSnapshot): TurnAssistant {
  const m = snapshot.modelConfigVersion;
  return {
    assistantId: snapshot.assistantId,
    sessionType: snapshot.sessionType,
    initialPrompt: snapshot.promptVersion.initialPrompt,
    summaryPrompt: snapshot.promptVersion.summaryPrompt,
    guardThreshold: snapshot.guardThreshold,
    guardCanary: snapshot.guardCanary === true,
    guardSemantic: snapshot.guardSemantic === true,
    guardSemanticThreshold: snapshot.guardSemanticThreshold ?? 0.9,
    model: {
      model: m.model,
      endpoint: m.endpoint,
      contextWindow: m.contextWindow || (findModel(m.model)?.contextWindow ?? 4096),
      maxTokens: m.maxTokens,
      temperature: m.temperature,
      topP: m.topP,
      frequencyPenalty: m.frequencyPenalty,
      presencePenalty: m.presencePenalty,
    },
  };
}

@Injectable()
export class AssistantsClient {
  private readonly cache = new Map<string, { at: number; snapshot: AssistantSnapshot }>();

  constructor(@Inject(SESSIONS_CONFIG) private readonly config: SessionsConfig) {}

  async snapshot(
    assistantId: string,
    pinned?: { promptVersionId: string; modelConfigVersionId: string },
  ): Promise<AssistantSnapshot> {
    const key = pinned
      ? `${assistantId}:${pinned.promptVersionId}:${pinned.modelConfigVersionId}`
      : null;
    const cached = key ? this.cache.get(key) : undefined;
    if (cached && Date.now() - cached.at < CACHE_TTL_MS) return cached.snapshot;
    const query = pinned
      ? `?promptVersionId=${pinned.promptVersionId}&modelConfigVersionId=${pinned.modelConfigVersionId}`
      : '';
    const response = await fetch(
      `${this.config.assistantsUrl}/internal/assistants/${assistantId}/snapshot${query}`,
      {
        headers: { 'x-internal-token': this.config.assistantsToken },
        signal: AbortSignal.timeout(10_000),
      },
    );
    if (response.status === 404) throw notFound('assistant');
    if (!response.ok) {
      throw new ApiException(
        HttpStatus.BAD_GATEWAY,
        'assistants_unavailable',
        `the assistants service answered ${response.status}`,
      );
    }
    const snapshot = (await response.json()) as AssistantSnapshot;
    if (key) this.cache.set(key, { at: Date.now(), snapshot });
    return snapshot;
  }
}
