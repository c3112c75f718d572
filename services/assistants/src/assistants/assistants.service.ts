/**
 * The rules of assistants: creation from a lab draft, listings, search, edits under optimistic
 * locking, prompt and model-config versions with activation (and so rollback), deactivation,
 * and the snapshot the sessions service pins. Every change and its outbox event share one
 * transaction. Prompts reach only the creator's views and the internal snapshot.
 */
import { randomUUID } from 'node:crypto';
import { HttpStatus, Injectable } from '@nestjs/common';
import type { AssistantSnapshot } from '@lab/contracts';
import { findModel, modelIds } from '@lab/conversation';
import { ApiException, badRequest, type ErrorDetail, notFound } from '@lab/platform/http';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter } from 'prom-client';
import type { EntityManager } from 'typeorm';
import { recordEvent } from '../outbox/outbox';
import { AssistantsRepository } from './assistants.repository';
import {
  type CreatorAssistantView,
  creatorView,
  type ModelConfigVersionView,
  modelConfigVersionView,
  type Page,
  type PromptVersionView,
  promptVersionView,
  type PublicAssistantView,
  publicView,
} from './assistant.views';
import { decodeCursor, encodeCursor } from './cursor';
import {
  type CreateAssistantDto,
  type ModelConfigDto,
  type AddModelConfigVersionDto,
  type AddPromptVersionDto,
  type UpdateAssistantDto,
} from '@lab/contracts/dto';
import type { AssistantEntity } from './entities/assistant.entity';
import { newShareCode, normaliseShareCode } from './share-code';

export const DEFAULT_PAGE_SIZE = 20;
const UNIQUE_VIOLATION = '23505';

export const ASSISTANTS_CREATED = 'assistants_created_total';
export const VERSIONS_ACTIVATED = 'assistant_versions_activated_total';

export interface CreateOptions {
  showcased?: boolean;
  code?: string;
}

@Injectable()
export class AssistantsService {
  constructor(
    private readonly repository: AssistantsRepository,
    @InjectMetric(ASSISTANTS_CREATED) private readonly created: Counter,
    @InjectMetric(VERSIONS_ACTIVATED) private readonly activated: Counter<'kind'>,
  ) {}

  async create(
    callerId: string,
    draft: CreateAssistantDto,
    options: CreateOptions = {},
  ): Promise<CreatorAssistantView> {
    assertModelConfig(draft.modelConfig, 'modelConfig');
    for (let attempt = 1; ; attempt += 1) {
      try {
        const view = await this.repository.transaction((manager) =>
          this.insertAssistant(
            manager,
            callerId,
            draft,
            options.code ?? newShareCode(),
            options.showcased ?? false,
          ),
        );
        this.created.inc();
        return view;
      } catch (error) {
        // A share code collision (1 in 10^12 per pair) is retried with a new code.
        if (!options.code && attempt < 5 && isUniqueViolation(error, 'code')) continue;
        throw error;
      }
    }
  }

  private async insertAssistant(
    manager: EntityManager,
    callerId: string,
    draft: CreateAssistantDto,
    code: string,
    showcased: boolean,
  ): Promise<CreatorAssistantView> {
    const id = randomUUID();
    const promptVersionId = randomUUID();
    const modelConfigVersionId = randomUUID();
    // The active-version foreign keys are deferred, so the assistant can name them first.
    const assistant = await this.repository.insertAssistant(manager, {
      id,
      code,
      name: draft.name,
      tagLine: draft.tagLine,
      description: draft.description,
      sessionType: draft.sessionType,
      creatorId: callerId,
      showcased,
      guardThreshold: draft.guardThreshold ?? 0.65,
      guardCanary: draft.guardCanary ?? false,
      guardSemantic: draft.guardSemantic ?? false,
      guardSemanticThreshold: draft.guardSemanticThreshold ?? 0.9,
      activePromptVersionId: promptVersionId,
      activeModelConfigVersionId: modelConfigVersionId,
    });
    const prompt = await this.repository.insertPromptVersion(manager, {
      id: promptVersionId,
      assistantId: id,
      number: 1,
      initialPrompt: draft.initialPrompt,
      summaryPrompt: draft.summaryPrompt,
    });
    const modelConfig = await this.repository.insertModelConfigVersion(manager, {
      id: modelConfigVersionId,
      assistantId: id,
      number: 1,
      ...draft.modelConfig,
    });
    await recordEvent(manager, 'assistant.created', id, {
      creatorId: callerId,
      sessionType: assistant.sessionType,
      showcased,
      promptVersionId,
      modelConfigVersionId,
      model: modelConfig.model,
    });
    return creatorView(assistant, prompt, modelConfig);
  }

  async codeExists(code: string): Promise<boolean> {
    return (await this.repository.findByCode(code)) !== null;
  }

  async get(callerId: string, id: string): Promise<PublicAssistantView | CreatorAssistantView> {
    const assistant = await this.repository.findById(id);
    if (!assistant) throw notFound('assistant');
    return this.viewFor(callerId, assistant);
  }

  async getByCode(
    callerId: string,
    typed: string,
  ): Promise<PublicAssistantView | CreatorAssistantView> {
    const code = normaliseShareCode(typed);
    const assistant = code ? await this.repository.findByCode(code) : null;
    if (!assistant) throw notFound('assistant');
    return this.viewFor(callerId, assistant);
  }

  /** The lounge: showcased, active assistants, newest first. */
  listShowcased(
    callerId: string,
    cursor?: string,
    limit?: number,
  ): Promise<Page<PublicAssistantView>> {
    return this.page({ showcasedOnly: true }, callerId, cursor, limit);
  }

  listMine(callerId: string, cursor?: string, limit?: number): Promise<Page<PublicAssistantView>> {
    return this.page({ creatorId: callerId }, callerId, cursor, limit);
  }

  async search(
    callerId: string,
    text: string,
    cursor?: string,
    limit = DEFAULT_PAGE_SIZE,
  ): Promise<Page<PublicAssistantView>> {
    const after = cursor ? decodeCursorOrFail(cursor) : null;
    if (after && after.rank === undefined) throw invalidCursor();
    const rows = await this.repository.search(
      text,
      callerId,
      after ? { rank: after.rank ?? 0, seq: after.seq } : null,
      limit,
    );
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return {
      items: items.map(({ row }) => publicView(row, callerId)),
      nextCursor:
        rows.length > limit && last ? encodeCursor({ seq: last.row.seq, rank: last.rank }) : null,
    };
  }

  async update(
    callerId: string,
    id: string,
    change: UpdateAssistantDto,
  ): Promise<CreatorAssistantView> {
    const { version, ...patch } = change;
    return this.repository.transaction(async (manager) => {
      await this.ownedOrNotFound(callerId, id, manager);
      if (!(await this.repository.updateIfVersion(manager, id, version, patch))) {
        const current = await this.repository.findById(id, manager);
        throw versionConflict(current?.version ?? version);
      }
      return this.creatorViewOf(id, manager);
    });
  }

  async addPromptVersion(
    callerId: string,
    id: string,
    body: AddPromptVersionDto,
  ): Promise<{ assistant: CreatorAssistantView; promptVersion: PromptVersionView }> {
    return this.repository.transaction(async (manager) => {
      const assistant = await this.lockOwned(callerId, id, manager, body.expectedVersion);
      const version = await this.repository.insertPromptVersion(manager, {
        id: randomUUID(),
        assistantId: id,
        number: await this.repository.nextPromptNumber(manager, id),
        initialPrompt: body.initialPrompt,
        summaryPrompt: body.summaryPrompt,
      });
      if (body.activate !== false) {
        await this.activate(manager, assistant, 'prompt', version.id, version.number);
      }
      const view = await this.creatorViewOf(id, manager);
      return {
        assistant: view,
        promptVersion: promptVersionView(version, view.activePromptVersion?.id ?? null),
      };
    });
  }

  async addModelConfigVersion(
    callerId: string,
    id: string,
    body: AddModelConfigVersionDto,
  ): Promise<{ assistant: CreatorAssistantView; modelConfigVersion: ModelConfigVersionView }> {
    assertModelConfig(body.modelConfig, 'modelConfig');
    return this.repository.transaction(async (manager) => {
      const assistant = await this.lockOwned(callerId, id, manager, body.expectedVersion);
      const version = await this.repository.insertModelConfigVersion(manager, {
        id: randomUUID(),
        assistantId: id,
        number: await this.repository.nextModelConfigNumber(manager, id),
        ...body.modelConfig,
      });
      if (body.activate !== false) {
        await this.activate(manager, assistant, 'model_config', version.id, version.number);
      }
      const view = await this.creatorViewOf(id, manager);
      return {
        assistant: view,
        modelConfigVersion: modelConfigVersionView(
          version,
          view.activeModelConfigVersion?.id ?? null,
        ),
      };
    });
  }

  /** Makes any version, earlier ones included, the active one: edit and roll back alike. */
  async activateVersion(
    callerId: string,
    id: string,
    kind: 'prompt' | 'model_config',
    versionId: string,
    expectedVersion?: number,
  ): Promise<CreatorAssistantView> {
    return this.repository.transaction(async (manager) => {
      const assistant = await this.lockOwned(callerId, id, manager, expectedVersion);
      const version =
        kind === 'prompt'
          ? await this.repository.findPromptVersion(id, versionId, manager)
          : await this.repository.findModelConfigVersion(id, versionId, manager);
      if (!version) throw notFound(kind === 'prompt' ? 'prompt version' : 'model config version');
      await this.activate(manager, assistant, kind, version.id, version.number);
      return this.creatorViewOf(id, manager);
    });
  }

  async listPromptVersions(callerId: string, id: string): Promise<PromptVersionView[]> {
    const assistant = await this.ownedOrNotFound(callerId, id);
    const versions = await this.repository.listPromptVersions(id);
    return versions.map((v) => promptVersionView(v, assistant.activePromptVersionId));
  }

  async listModelConfigVersions(callerId: string, id: string): Promise<ModelConfigVersionView[]> {
    const assistant = await this.ownedOrNotFound(callerId, id);
    const versions = await this.repository.listModelConfigVersions(id);
    return versions.map((v) => modelConfigVersionView(v, assistant.activeModelConfigVersionId));
  }

  async deactivate(
    callerId: string,
    id: string,
    expectedVersion?: number,
  ): Promise<CreatorAssistantView> {
    return this.repository.transaction(async (manager) => {
      const assistant = await this.lockOwned(callerId, id, manager, expectedVersion);
      if (assistant.active) {
        await this.repository.updateIfVersion(manager, id, assistant.version, { active: false });
        await recordEvent(manager, 'assistant.deactivated', id, { creatorId: assistant.creatorId });
      }
      return this.creatorViewOf(id, manager);
    });
  }

  /**
   * The full active version (or the pinned one), prompts included: for the sessions service only.
   */
  async snapshot(
    id: string,
    pinned: { promptVersionId?: string; modelConfigVersionId?: string } = {},
  ): Promise<AssistantSnapshot> {
    const assistant = await this.repository.findById(id);
    if (!assistant) throw notFound('assistant');
    const promptVersionId = pinned.promptVersionId ?? assistant.activePromptVersionId;
    const modelConfigVersionId =
      pinned.modelConfigVersionId ?? assistant.activeModelConfigVersionId;
    const prompt = promptVersionId
      ? await this.repository.findPromptVersion(id, promptVersionId)
      : null;
    const modelConfig = modelConfigVersionId
      ? await this.repository.findModelConfigVersion(id, modelConfigVersionId)
      : null;
    if (!prompt) throw notFound('prompt version');
    if (!modelConfig) throw notFound('model config version');
    const model = findModel(modelConfig.model);
    return {
      assistantId: assistant.id,
      name: assistant.name,
      sessionType: assistant.sessionType,
      active: assistant.active,
      guardThreshold: assistant.guardThreshold,
      guardCanary: assistant.guardCanary,
      guardSemantic: assistant.guardSemantic,
      guardSemanticThreshold: assistant.guardSemanticThreshold,
      promptVersion: {
        id: prompt.id,
        number: prompt.number,
        initialPrompt: prompt.initialPrompt,
        summaryPrompt: prompt.summaryPrompt,
      },
      modelConfigVersion: {
        id: modelConfig.id,
        number: modelConfig.number,
        model: modelConfig.model,
        endpoint: model?.endpoint ?? 'chat',
        contextWindow: model?.contextWindow ?? 0,
        maxTokens: modelConfig.maxTokens,
        temperature: modelConfig.temperature,
        topP: modelConfig.topP,
        frequencyPenalty: modelConfig.frequencyPenalty,
        presencePenalty: modelConfig.presencePenalty,
      },
    };
  }

  private async activate(
    manager: EntityManager,
    assistant: AssistantEntity,
    kind: 'prompt' | 'model_config',
    versionId: string,
    number: number,
  ): Promise<void> {
    const current =
      kind === 'prompt' ? assistant.activePromptVersionId : assistant.activeModelConfigVersionId;
    if (current === versionId) return;
    const patch =
      kind === 'prompt'
        ? { activePromptVersionId: versionId }
        : { activeModelConfigVersionId: versionId };
    // The row is locked by lockOwned, so the version cannot have moved since it was read.
    await this.repository.updateIfVersion(manager, assistant.id, assistant.version, patch);
    assistant.version += 1;
    await recordEvent(manager, 'assistant.version_activated', assistant.id, {
      kind,
      versionId,
      number,
    });
    this.activated.inc({ kind });
  }

  private async page(
    filter: { showcasedOnly?: boolean; creatorId?: string },
    callerId: string,
    cursor: string | undefined,
    limit = DEFAULT_PAGE_SIZE,
  ): Promise<Page<PublicAssistantView>> {
    const after = cursor ? decodeCursorOrFail(cursor) : null;
    const rows = await this.repository.listPage(filter, after?.seq ?? null, limit);
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return {
      items: items.map((row) => publicView(row, callerId)),
      nextCursor: rows.length > limit && last ? encodeCursor({ seq: last.seq }) : null,
    };
  }

  private async viewFor(
    callerId: string,
    assistant: AssistantEntity,
  ): Promise<PublicAssistantView | CreatorAssistantView> {
    return assistant.creatorId === callerId
      ? this.creatorViewOf(assistant.id)
      : publicView(assistant, callerId);
  }

  private async creatorViewOf(id: string, manager?: EntityManager): Promise<CreatorAssistantView> {
    const assistant = await this.repository.findById(id, manager);
    if (!assistant) throw notFound('assistant');
    const prompt = assistant.activePromptVersionId
      ? await this.repository.findPromptVersion(id, assistant.activePromptVersionId, manager)
      : null;
    const modelConfig = assistant.activeModelConfigVersionId
      ? await this.repository.findModelConfigVersion(
          id,
          assistant.activeModelConfigVersionId,
          manager,
        )
      : null;
    return creatorView(assistant, prompt, modelConfig);
  }

  /** Another user's assistant is as unknown to the caller as a missing one: 404 either way. */
  private async ownedOrNotFound(
    callerId: string,
    id: string,
    manager?: EntityManager,
  ): Promise<AssistantEntity> {
    const assistant = await this.repository.findById(id, manager);
    if (!assistant || assistant.creatorId !== callerId) throw notFound('assistant');
    return assistant;
  }

  private async lockOwned(
    callerId: string,
    id: string,
    manager: EntityManager,
    expectedVersion?: number,
  ): Promise<AssistantEntity> {
    const assistant = await this.repository.lockById(manager, id);
    if (!assistant || assistant.creatorId !== callerId) throw notFound('assistant');
    if (expectedVersion !== undefined && expectedVersion !== assistant.version) {
      throw versionConflict(assistant.version);
    }
    return assistant;
  }
}

/** Registry checks the DTO cannot make: a known model, and max tokens within its limit. */
export function modelConfigProblems(config: ModelConfigDto, field: string): ErrorDetail[] {
  const model = findModel(config.model);
  if (!model) {
    return [{ field: `${field}.model`, message: `model must be one of: ${modelIds().join(', ')}` }];
  }
  if (config.maxTokens > model.maxOutputTokens) {
    return [
      {
        field: `${field}.maxTokens`,
        message: `maxTokens must not exceed ${model.maxOutputTokens} for ${model.id}`,
      },
    ];
  }
  return [];
}

function assertModelConfig(config: ModelConfigDto, field: string): void {
  const problems = modelConfigProblems(config, field);
  if (problems.length > 0) throw badRequest('The model configuration is not valid', problems);
}

function versionConflict(current: number): ApiException {
  return new ApiException(
    HttpStatus.CONFLICT,
    'version_conflict',
    'The assistant was changed since you read it; reload it and apply your change again',
    [{ field: 'version', message: `the current version is ${current}` }],
  );
}

function invalidCursor(): ApiException {
  return badRequest('The cursor is not valid', [
    { field: 'cursor', message: 'use nextCursor from a previous page' },
  ]);
}

function decodeCursorOrFail(cursor: string) {
  const key = decodeCursor(cursor);
  if (!key) throw invalidCursor();
  return key;
}

function isUniqueViolation(error: unknown, column: string): boolean {
  const driverError = (error as { driverError?: { code?: string; detail?: string } }).driverError;
  return (
    driverError?.code === UNIQUE_VIOLATION && (driverError.detail ?? '').includes(`(${column})`)
  );
}
