import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

export type AttachmentOrigin = 'user' | 'assistant';

/**
 * A file of a session: uploaded by its owner, or returned by the model. The bytes live in
 * object storage (`objectKey`), encrypted under the owner's data key; its name and the
 * plaintext's SHA-256 are sealed under the same key (`meta`), and `mac` is the keyed integrity
 * hash: nothing here names the file or confirms a guess of it without the owner's key.
 */
@Entity('attachments')
export class AttachmentEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'session_id', type: 'uuid' })
  sessionId!: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  /** `SessionCipher.attachmentMeta` (a row from before holds the plain name: see attachmentView). */
  @Column({ type: 'text' })
  meta!: string;

  @Column({ name: 'content_type', type: 'varchar', length: 100 })
  contentType!: string;

  @Column({ type: 'integer' })
  size!: number;

  /** `SessionCipher.fileMac` of the plaintext (a row from before: its SHA-256). */
  @Column({ type: 'varchar', length: 64 })
  mac!: string;

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
