/**
 * Data access for assistants and their versions: the only place that builds queries. Methods
 * that take an EntityManager run inside the caller's transaction. Prompt versions are sealed on
 * the way in and opened on the way out (PromptCipher): what the database holds is ciphertext.
 */
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource, type EntityManager, IsNull } from 'typeorm';
import { AssistantEntity } from './entities/assistant.entity';
import { ModelConfigVersionEntity } from './entities/model-config-version.entity';
import { PromptVersionEntity } from './entities/prompt-version.entity';
import { PROMPT_CIPHER, type PromptCipher } from './prompt-cipher';

export interface ListFilter {
  showcasedOnly?: boolean;
  creatorId?: string;
}

export interface Ranked<T> {
  row: T;
  rank: number;
}

type AssistantPatch = Partial<
  Pick<
    AssistantEntity,
    | 'name'
    | 'tagLine'
    | 'description'
    | 'guardThreshold'
    | 'guardCanary'
    | 'guardSemantic'
    | 'guardSemanticThreshold'
    | 'active'
    | 'activePromptVersionId'
    | 'activeModelConfigVersionId'
  >
>;

@Injectable()
export class AssistantsRepository {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(PROMPT_CIPHER) private readonly prompts: PromptCipher,
  ) {}

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.db.transaction(work);
  }

  findById(id: string, manager: EntityManager = this.db.manager): Promise<AssistantEntity | null> {
    return manager.findOneBy(AssistantEntity, { id });
  }

  /** Reads the row and locks it until the transaction ends: versions are numbered under it. */
  lockById(manager: EntityManager, id: string): Promise<AssistantEntity | null> {
    return manager.findOne(AssistantEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  findByCode(code: string): Promise<AssistantEntity | null> {
    return this.db.manager.findOneBy(AssistantEntity, { code });
  }

  async insertAssistant(
    manager: EntityManager,
    fields: Partial<AssistantEntity>,
  ): Promise<AssistantEntity> {
    const { identifiers } = await manager.insert(AssistantEntity, fields);
    const id = (identifiers[0] as { id: string }).id;
    return manager.findOneByOrFail(AssistantEntity, { id });
  }

  async insertPromptVersion(
    manager: EntityManager,
    fields: Pick<
      PromptVersionEntity,
      'id' | 'assistantId' | 'number' | 'initialPrompt' | 'summaryPrompt'
    >,
  ): Promise<PromptVersionEntity> {
    await manager.insert(PromptVersionEntity, {
      ...fields,
      ...this.prompts.seal(fields.id, fields),
    });
    return this.opened(await manager.findOneByOrFail(PromptVersionEntity, { id: fields.id }));
  }

  async insertModelConfigVersion(
    manager: EntityManager,
    fields: Omit<ModelConfigVersionEntity, 'createdAt'>,
  ): Promise<ModelConfigVersionEntity> {
    await manager.insert(ModelConfigVersionEntity, fields);
    return manager.findOneByOrFail(ModelConfigVersionEntity, { id: fields.id });
  }

  async nextPromptNumber(manager: EntityManager, assistantId: string): Promise<number> {
    const max = await manager.maximum(PromptVersionEntity, 'number', { assistantId });
    return (max ?? 0) + 1;
  }

  async nextModelConfigNumber(manager: EntityManager, assistantId: string): Promise<number> {
    const max = await manager.maximum(ModelConfigVersionEntity, 'number', { assistantId });
    return (max ?? 0) + 1;
  }

  async findPromptVersion(
    assistantId: string,
    id: string,
    manager: EntityManager = this.db.manager,
  ): Promise<PromptVersionEntity | null> {
    const version = await manager.findOneBy(PromptVersionEntity, { id, assistantId });
    return version && this.opened(version);
  }

  findModelConfigVersion(
    assistantId: string,
    id: string,
    manager: EntityManager = this.db.manager,
  ): Promise<ModelConfigVersionEntity | null> {
    return manager.findOneBy(ModelConfigVersionEntity, { id, assistantId });
  }

  async listPromptVersions(assistantId: string): Promise<PromptVersionEntity[]> {
    const versions = await this.db.manager.find(PromptVersionEntity, {
      where: { assistantId },
      order: { number: 'DESC' },
    });
    return versions.map((version) => this.opened(version));
  }

  /**
   * Seals the prompt versions still in plaintext (written before prompts were encrypted) and
   * moves every data key wrapped by an older PROMPT_KEYS key under the current one. Idempotent,
   * in batches, each row on its own (a concurrent start-up of another replica does no harm).
   */
  async maintainPromptKeys(batch = 200): Promise<{ sealed: number; rewrapped: number }> {
    const done = { sealed: 0, rewrapped: 0 };
    for (let after = ''; ;) {
      const rows = await this.db.manager
        .createQueryBuilder(PromptVersionEntity, 'v')
        .where('v.id > :after', { after: after || '00000000-0000-0000-0000-000000000000' })
        .orderBy('v.id')
        .limit(batch)
        .getMany();
      if (rows.length === 0) return done;
      for (const row of rows) {
        if (row.wrappedKey === null) {
          const result = await this.db.manager.update(
            PromptVersionEntity,
            { id: row.id, wrappedKey: IsNull() },
            this.prompts.seal(row.id, row),
          );
          done.sealed += result.affected ?? 0;
          continue;
        }
        const rewrapped = this.prompts.rewrap(row.wrappedKey);
        if (rewrapped === undefined) continue;
        const result = await this.db.manager.update(
          PromptVersionEntity,
          { id: row.id, wrappedKey: row.wrappedKey },
          { wrappedKey: rewrapped },
        );
        done.rewrapped += result.affected ?? 0;
      }
      after = rows[rows.length - 1]!.id;
    }
  }

  /** The version with its prompts in plaintext (a row not yet sealed is plaintext already). */
  private opened(version: PromptVersionEntity): PromptVersionEntity {
    if (version.wrappedKey === null) return version;
    return Object.assign(new PromptVersionEntity(), version, {
      ...this.prompts.open(version.id, {
        wrappedKey: version.wrappedKey,
        initialPrompt: version.initialPrompt,
        summaryPrompt: version.summaryPrompt,
      }),
    });
  }

  listModelConfigVersions(assistantId: string): Promise<ModelConfigVersionEntity[]> {
    return this.db.manager.find(ModelConfigVersionEntity, {
      where: { assistantId },
      order: { number: 'DESC' },
    });
  }

  /**
   * Applies a change only if the row is still at `expectedVersion`, bumping the version.
   * False means someone else changed it first (or it is gone).
   */
  async updateIfVersion(
    manager: EntityManager,
    id: string,
    expectedVersion: number,
    patch: AssistantPatch,
  ): Promise<boolean> {
    const result = await manager
      .createQueryBuilder()
      .update(AssistantEntity)
      .set({ ...patch, version: () => 'version + 1', modifiedAt: () => 'now()' })
      .where('id = :id and version = :expectedVersion', { id, expectedVersion })
      .execute();
    return result.affected === 1;
  }

  /** Newest first, keyed by `seq`; `limit + 1` rows tell whether another page exists. */
  listPage(filter: ListFilter, afterSeq: string | null, limit: number): Promise<AssistantEntity[]> {
    const query = this.db.manager.createQueryBuilder(AssistantEntity, 'a');
    if (filter.showcasedOnly) query.andWhere('a.showcased and a.active');
    if (filter.creatorId)
      query.andWhere('a.creator_id = :creatorId', { creatorId: filter.creatorId });
    if (afterSeq) query.andWhere('a.seq < :afterSeq', { afterSeq });
    return query
      .orderBy('a.seq', 'DESC')
      .limit(limit + 1)
      .getMany();
  }

  /**
   * Full-text search of name and tag line (English configuration), best match first, among the
   * showcased assistants and the caller's own.
   */
  async search(
    text: string,
    callerId: string,
    after: { rank: number; seq: string } | null,
    limit: number,
  ): Promise<Array<Ranked<AssistantEntity>>> {
    const rank = `ts_rank(a.search, websearch_to_tsquery('english', :text))::real`;
    const query = this.db.manager
      .createQueryBuilder(AssistantEntity, 'a')
      .addSelect(rank, 'rank')
      .where(`a.search @@ websearch_to_tsquery('english', :text)`, { text })
      .andWhere('a.active')
      .andWhere('(a.showcased or a.creator_id = :callerId)', { callerId });
    if (after) {
      query.andWhere(`(${rank}, a.seq) < (:rank::real, :afterSeq::bigint)`, {
        rank: after.rank,
        afterSeq: after.seq,
      });
    }
    const { entities, raw } = await query
      .orderBy('rank', 'DESC')
      .addOrderBy('a.seq', 'DESC')
      .limit(limit + 1)
      .getRawAndEntities<{ rank: number }>();
    return entities.map((row, i) => ({ row, rank: Number(raw[i]?.rank ?? 0) }));
  }
}
