/** Data access for stored responses (decision 0022): the only place that builds their queries. */
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { StoredResponseEntity } from './entities/stored-response.entity';

@Injectable()
export class ResponsesRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Records a turn's response, unless an earlier attempt of the turn did. */
  async insert(
    manager: EntityManager,
    record: Omit<StoredResponseEntity, 'createdAt'>,
  ): Promise<void> {
    await manager
      .createQueryBuilder()
      .insert()
      .into(StoredResponseEntity)
      .values(record)
      .orIgnore()
      .execute();
  }

  /** The user's response of that id; another user's is as unknown as a missing one. */
  findOwned(userId: string, id: string): Promise<StoredResponseEntity | null> {
    return this.db.manager.findOneBy(StoredResponseEntity, { id, userId });
  }

  forTurn(sessionId: string, turnId: string): Promise<StoredResponseEntity | null> {
    return this.db.manager.findOneBy(StoredResponseEntity, { sessionId, turnId });
  }

  /** True when the user's response was there to delete. */
  async deleteOwned(userId: string, id: string): Promise<boolean> {
    const result = await this.db.manager.delete(StoredResponseEntity, { id, userId });
    return (result.affected ?? 0) > 0;
  }
}
