/** Data access for archiving and the idle sweep: the only place in archives/ that builds queries. */
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { AttachmentEntity } from '../sessions/entities/attachment.entity';
import { MessageEntity } from '../sessions/entities/message.entity';
import { SessionEntity } from '../sessions/entities/session.entity';

export interface ArchiveRecord {
  key: string;
  size: number;
  sha256: string;
}

@Injectable()
export class ArchivesRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.db.transaction(work);
  }

  findSession(id: string, manager: EntityManager = this.db.manager): Promise<SessionEntity | null> {
    return manager.findOneBy(SessionEntity, { id });
  }

  lockSession(manager: EntityManager, id: string): Promise<SessionEntity | null> {
    return manager.findOne(SessionEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  messages(sessionId: string): Promise<MessageEntity[]> {
    return this.db.manager.find(MessageEntity, {
      where: { sessionId },
      order: { position: 'ASC' },
    });
  }

  attachments(sessionId: string): Promise<AttachmentEntity[]> {
    return this.db.manager.find(AttachmentEntity, {
      where: { sessionId },
      order: { createdAt: 'ASC', id: 'ASC' },
    });
  }

  async markArchived(manager: EntityManager, id: string, archive: ArchiveRecord): Promise<void> {
    await manager
      .createQueryBuilder()
      .update(SessionEntity)
      .set({
        archivedAt: () => 'now()',
        archiveKey: archive.key,
        archiveSize: String(archive.size),
        archiveSha256: archive.sha256,
      })
      .where('id = :id and archived_at is null', { id })
      .execute();
  }

  /** Active sessions untouched for `idleMinutes`, oldest first. */
  async idleSessions(idleMinutes: number, limit: number): Promise<string[]> {
    const rows = await this.db.manager
      .createQueryBuilder(SessionEntity, 's')
      .select('s.id', 'id')
      .where(`s.status = 'active'`)
      .andWhere('s.modified_at < now() - make_interval(secs => :idleSeconds)', {
        idleSeconds: idleMinutes * 60,
      })
      .orderBy('s.modified_at', 'ASC')
      .limit(limit)
      .getRawMany<{ id: string }>();
    return rows.map((row) => row.id);
  }

  async unarchivedSessions(limit: number): Promise<string[]> {
    const rows = await this.db.manager
      .createQueryBuilder(SessionEntity, 's')
      .select('s.id', 'id')
      .where(`s.status = 'ended' and s.archived_at is null`)
      .orderBy('s.ended_at', 'ASC')
      .limit(limit)
      .getRawMany<{ id: string }>();
    return rows.map((row) => row.id);
  }

  /** Ends the session if it is still idle; the ended row, or null when it is not. */
  async endIfIdle(
    manager: EntityManager,
    id: string,
    idleMinutes: number,
  ): Promise<SessionEntity | null> {
    const result = await manager
      .createQueryBuilder()
      .update(SessionEntity)
      .set({
        status: 'ended',
        endedReason: 'idle',
        endedAt: () => 'now()',
      })
      .where(`id = :id and status = 'active'`, { id })
      .andWhere('modified_at < now() - make_interval(secs => :idleSeconds)', {
        idleSeconds: idleMinutes * 60,
      })
      .execute();
    return result.affected === 1 ? manager.findOneBy(SessionEntity, { id }) : null;
  }
}
