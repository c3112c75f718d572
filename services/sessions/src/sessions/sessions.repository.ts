/** Data access for sessions, messages and turns: the only place that builds queries. */
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { MessageEntity } from './entities/message.entity';
import { SessionEntity } from './entities/session.entity';
import { TurnEntity } from './entities/turn.entity';

@Injectable()
export class SessionsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.db.transaction(work);
  }

  /** Inserts the session unless one with its id exists (a repeated start); true when inserted. */
  async insertSession(manager: EntityManager, fields: Partial<SessionEntity>): Promise<boolean> {
    const result = await manager
      .createQueryBuilder()
      .insert()
      .into(SessionEntity)
      .values(fields)
      .orIgnore()
      .returning('id')
      .execute();
    return (result.raw as unknown[]).length > 0;
  }

  findById(id: string, manager: EntityManager = this.db.manager): Promise<SessionEntity | null> {
    return manager.findOneBy(SessionEntity, { id });
  }

  lockById(manager: EntityManager, id: string): Promise<SessionEntity | null> {
    return manager.findOne(SessionEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  findTurn(
    sessionId: string,
    turnId: string,
    manager: EntityManager = this.db.manager,
  ): Promise<TurnEntity | null> {
    return manager.findOneBy(TurnEntity, { sessionId, turnId });
  }

  async insertMessages(
    manager: EntityManager,
    messages: Array<Omit<MessageEntity, 'id' | 'createdAt'>>,
  ): Promise<void> {
    if (messages.length > 0) await manager.insert(MessageEntity, messages);
  }

  async insertTurn(manager: EntityManager, turn: Omit<TurnEntity, 'createdAt'>): Promise<void> {
    await manager.insert(TurnEntity, turn);
  }

  async updateSession(
    manager: EntityManager,
    id: string,
    changes: Record<string, unknown>,
  ): Promise<void> {
    await manager
      .createQueryBuilder()
      .update(SessionEntity)
      .set(changes)
      .where('id = :id', { id })
      .execute();
  }

  messages(sessionId: string): Promise<MessageEntity[]> {
    return this.db.manager.find(MessageEntity, {
      where: { sessionId },
      order: { position: 'ASC' },
    });
  }

  listForUser(
    userId: string,
    assistantId: string | undefined,
    afterSeq: string | null,
    limit: number,
  ): Promise<SessionEntity[]> {
    const query = this.db.manager
      .createQueryBuilder(SessionEntity, 's')
      .where('s.user_id = :userId', { userId });
    if (assistantId) query.andWhere('s.assistant_id = :assistantId', { assistantId });
    if (afterSeq) query.andWhere('s.seq < :afterSeq', { afterSeq });
    return query
      .orderBy('s.seq', 'DESC')
      .limit(limit + 1)
      .getMany();
  }
}
