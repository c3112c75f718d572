/** Data access for attachments: the only place in attachments/ that builds queries. */
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { AttachmentEntity } from '../sessions/entities/attachment.entity';
import { SessionEntity } from '../sessions/entities/session.entity';

@Injectable()
export class AttachmentsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  findSession(id: string): Promise<SessionEntity | null> {
    return this.db.manager.findOneBy(SessionEntity, { id });
  }

  forSession(sessionId: string): Promise<AttachmentEntity[]> {
    return this.db.manager.find(AttachmentEntity, {
      where: { sessionId },
      order: { createdAt: 'ASC', id: 'ASC' },
    });
  }

  count(sessionId: string): Promise<number> {
    return this.db.manager.countBy(AttachmentEntity, { sessionId });
  }

  find(sessionId: string, id: string): Promise<AttachmentEntity | null> {
    return this.db.manager.findOneBy(AttachmentEntity, { sessionId, id });
  }

  async insert(
    attachments: Array<Omit<AttachmentEntity, 'createdAt'>>,
    manager: EntityManager = this.db.manager,
  ): Promise<void> {
    if (attachments.length === 0) return;
    await manager
      .createQueryBuilder()
      .insert()
      .into(AttachmentEntity)
      .values(attachments)
      .orIgnore()
      .execute();
  }
}
