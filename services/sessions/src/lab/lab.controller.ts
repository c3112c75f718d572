/**
 * The lab's test chat with a draft assistant: the same exchange as a session's turn, nothing
 * stored (lab messages are never persisted); the caller keeps the thread and sends it back.
 */
import { Body, Controller, HttpCode, HttpStatus, Post, UseGuards } from '@nestjs/common';
import { findModel, modelIds } from '@lab/conversation';
import type { TurnAssistant } from '@lab/contracts';
import { badRequest, CallerId, InternalCallerGuard } from '@lab/platform/http';
import { CallerKeyId } from '../sessions/caller-key-id.decorator';
import { DataKey, IdempotencyKey } from '../sessions/data-key.decorator';
import { ProviderKey } from '../sessions/provider-key.decorator';
import { turnIdFrom } from '../sessions/sessions.service';
import { ExchangesService } from '../turns/exchanges.service';
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
    guardCanary: draft.guardCanary ?? false,
    guardSemantic: draft.guardSemantic ?? false,
    guardSemanticThreshold: draft.guardSemanticThreshold ?? 0.9,
    model: { ...draft.modelConfig, endpoint: model.endpoint, contextWindow: model.contextWindow },
  };
}

@Controller('lab')
@UseGuards(InternalCallerGuard)
export class LabController {
  constructor(private readonly exchanges: ExchangesService) {}

  @Post('turns')
  @HttpCode(HttpStatus.OK)
  turn(
    @CallerId() userId: string,
    @DataKey() dataKey: Buffer,
    @ProviderKey() providerKey: string | undefined,
    @CallerKeyId() callerKeyId: string | undefined,
    @IdempotencyKey() idempotencyKey: string | undefined,
    @Body() body: LabTurnDto,
  ) {
    const thread = { summary: body.thread?.summary ?? null, messages: body.thread?.messages ?? [] };
    const userMessage = body.message ?? null;
    return this.exchanges.exchange(
      {
        source: 'lab',
        userId,
        turnId: turnIdFrom(idempotencyKey),
        assistant: draftAssistant(body.draft),
        thread,
        userMessage,
        request: { draft: body.draft, thread, message: userMessage },
      },
      { dataKey, providerKey, callerKeyId },
    );
  }
}
