/** Data access for users, their identities and platform API keys (schema `gateway`). */
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource, type EntityManager, IsNull } from 'typeorm';
import { ApiKeyEntity } from './entities/api-key.entity';
import { type IdentityKind, IdentityEntity } from './entities/identity.entity';
import { UserEntity } from './entities/user.entity';

const UNIQUE_VIOLATION = '23505';

export const isUniqueViolation = (error: unknown): boolean =>
  (error as { driverError?: { code?: string } }).driverError?.code === UNIQUE_VIOLATION;

@Injectable()
export class UsersRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  findUser(id: string): Promise<UserEntity | null> {
    return this.db.getRepository(UserEntity).findOneBy({ id });
  }

  async findByIdentity(kind: IdentityKind, lookup: string): Promise<UserEntity | null> {
    const identity = await this.db.getRepository(IdentityEntity).findOneBy({ kind, lookup });
    return identity ? this.findUser(identity.userId) : null;
  }

  /**
   * A new user known by this identity. Two first requests racing: the loser's insert violates
   * the identity's uniqueness, and it returns the winner's user instead.
   */
  async createWithIdentity(
    user: Omit<UserEntity, 'createdAt' | 'sessionsStarted' | 'sessionsEnded' | 'assistantsCreated'>,
    kind: IdentityKind,
    lookup: string,
  ): Promise<{ user: UserEntity; created: boolean }> {
    try {
      const created = await this.db.transaction(async (tx) => {
        await tx.getRepository(UserEntity).insert(user);
        await tx.getRepository(IdentityEntity).insert({ userId: user.id, kind, lookup });
        return tx.getRepository(UserEntity).findOneByOrFail({ id: user.id });
      });
      return { user: created, created: true };
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const existing = await this.findByIdentity(kind, lookup);
      if (!existing) throw error;
      return { user: existing, created: false };
    }
  }

  /**
   * Key rotation (decision 0021): at once, the identity moves to the new key's hash, the user's
   * data key becomes the new one and the old one is kept as the previous key (both wrapped under
   * the new OpenAI key). Refused (false) while another rotation is open.
   */
  async rotateIdentity(
    userId: string,
    kind: IdentityKind,
    oldLookup: string,
    newLookup: string,
    keys: { wrappedDataKey: string; previousWrappedDataKey: string },
  ): Promise<boolean> {
    return this.db.transaction(async (tx: EntityManager) => {
      const user = await tx
        .getRepository(UserEntity)
        .update({ id: userId, previousWrappedDataKey: IsNull() }, keys);
      if (user.affected !== 1) return false;
      const moved = await tx
        .getRepository(IdentityEntity)
        .update({ userId, kind, lookup: oldLookup }, { lookup: newLookup });
      if (moved.affected !== 1) throw new Error('identity to rotate not found');
      return true;
    });
  }

  /** The end of a rotation: the previous data key is dropped (only the one that was read). */
  async clearPreviousDataKey(userId: string, previousWrappedDataKey: string): Promise<void> {
    await this.db
      .getRepository(UserEntity)
      .update({ id: userId, previousWrappedDataKey }, { previousWrappedDataKey: null });
  }

  async createSystemUser(
    user: Omit<UserEntity, 'createdAt' | 'sessionsStarted' | 'sessionsEnded' | 'assistantsCreated'>,
  ): Promise<void> {
    await this.db.getRepository(UserEntity).insert(user);
  }

  findActiveApiKey(hash: string): Promise<ApiKeyEntity | null> {
    return this.db.getRepository(ApiKeyEntity).findOneBy({ hash, revokedAt: IsNull() });
  }

  /** Whether this user is a system that API keys were issued to. */
  async isSystemUser(userId: string): Promise<boolean> {
    return (await this.db.getRepository(ApiKeyEntity).countBy({ userId })) > 0;
  }

  findApiKey(id: string): Promise<ApiKeyEntity | null> {
    return this.db.getRepository(ApiKeyEntity).findOneBy({ id });
  }

  async insertApiKey(key: Omit<ApiKeyEntity, 'id' | 'createdAt' | 'lastUsedAt' | 'revokedAt'>) {
    const saved = await this.db.getRepository(ApiKeyEntity).save({ ...key, lastUsedAt: null });
    return saved;
  }

  listApiKeys(): Promise<ApiKeyEntity[]> {
    return this.db.getRepository(ApiKeyEntity).find({ order: { createdAt: 'DESC' }, take: 500 });
  }

  async revokeApiKey(id: string): Promise<boolean> {
    const result = await this.db
      .getRepository(ApiKeyEntity)
      .update({ id, revokedAt: IsNull() }, { revokedAt: new Date() });
    return result.affected === 1;
  }

  /** Last use, written at most once a minute per key so a busy key costs no write per request. */
  async touchApiKey(id: string): Promise<void> {
    await this.db.query(
      `update api_keys set last_used_at = now()
        where id = $1 and (last_used_at is null or last_used_at < now() - interval '1 minute')`,
      [id],
    );
  }
}
