import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type IdentityKind = 'byok' | 'oidc';

/**
 * A way a person is known, by a one-way value only: for bring-your-own-key the PBKDF2-SHA256
 * hash of their OpenAI key; for OIDC a SHA-256 of the issuer and subject. Never the key itself.
 */
@Entity('identities')
export class IdentityEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @Column({ type: 'varchar', length: 16 })
  kind!: IdentityKind;

  @Column({ type: 'varchar', length: 128 })
  lookup!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
