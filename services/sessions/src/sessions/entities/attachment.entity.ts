import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

export type AttachmentOrigin = 'user' | 'assistant';

/**
 * A file of a session: uploaded by its owner, or returned by the model. The bytes live in
 * object storage (`objectKey`), encrypted under the owner's data key; `sha256` is of the
 * plaintext, so the owner can check what they get back.
 */
@Entity('attachments')
export class AttachmentEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'session_id', type: 'uuid' })
  sessionId!: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ name: 'content_type', type: 'varchar', length: 100 })
  contentType!: string;

  @Column({ type: 'integer' })
  size!: number;

  @Column({ type: 'varchar', length: 64 })
  sha256!: string;

  @Column({ type: 'varchar', length: 16 })
  origin!: AttachmentOrigin;

  /** The turn whose reply held the file (origin `assistant`). */
  @Column({ name: 'turn_id', type: 'varchar', length: 128, nullable: true })
  turnId!: string | null;

  @Column({ name: 'object_key', type: 'text' })
  objectKey!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
