/**
 * The lab's test chat with a draft assistant: the same turn as a session's, nothing stored (lab
 * messages are never persisted); the caller keeps the thread and sends it back each turn.
 */
import { Body, Controller, HttpCode, HttpStatus, Post, UseGuards } from '@nestjs/common';
import { findModel, modelIds } from '@lab/conversation';
import type { TurnAssistant } from '@lab/contracts';
import { badRequest, CallerId, InternalCallerGuard } from '@lab/platform/http';
import { CallerKeyId } from '../sessions/caller-key-id.decorator';
import { IdempotencyKey } from '../sessions/data-key.decorator';
import { ProviderKey } from '../sessions/provider-key.decorator';
import { turnIdFrom } from '../sessions/sessions.service';
import { TurnRunner } from '../turns/turn-runner';
import { type LabDraftDto, LabTurnDto } from '@lab/contracts/dto';

export function draftAssistant(draft: LabDraftDto): TurnAssistant {
  const model = findModel(draft.modelConfig.model);
  if (!model) {
    throw badRequest('The model configuration is not valid', [
      {
        field: 'draft.modelConfig.model',
        message: `model must be one of: ${modelIds().join(', ')}`,
      },
    ]);
  }
  if (draft.modelConfig.maxTokens > model.maxOutputTokens) {
    throw badRequest('The model configuration is not valid', [
      {
        field: 'draft.modelConfig.maxTokens',
        message: `maxTokens must not exceed ${model.maxOutputTokens} for ${model.id}`,
      },
    ]);
  }
  return {
    assistantId: null,
    sessionType: draft.sessionType,
    initialPrompt: draft.initialPrompt,
    summaryPrompt: draft.summaryPrompt,
    guardThreshold: draft.guardThreshold ?? 0.65,
    model: { ...draft.modelConfig, endpoint: model.endpoint, contextWindow: model.contextWindow },
  };
}

@Controller('lab')
@UseGuards(InternalCallerGuard)
export class LabController {
  constructor(private readonly turns: TurnRunner) {}

  @Post('turns')
  @HttpCode(HttpStatus.OK)
  turn(
    @CallerId() userId: string,
    @ProviderKey() providerKey: string | undefined,
    @CallerKeyId() callerKeyId: string | undefined,
    @IdempotencyKey() idempotencyKey: string | undefined,
    @Body() body: LabTurnDto,
  ) {
    return this.turns.labTurn(
      userId,
      {
        turnId: turnIdFrom(idempotencyKey),
        assistant: draftAssistant(body.draft),
        thread: { summary: body.thread?.summary ?? null, messages: body.thread?.messages ?? [] },
        userMessage: body.message ?? null,
      },
      { providerKey, callerKeyId },
    );
  }
}
