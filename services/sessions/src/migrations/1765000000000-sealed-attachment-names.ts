import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Attachment names and checksums no longer in the clear (decision 0017): `meta` holds the name and
 * the plaintext's SHA-256 sealed under the owner's data key, `mac` the keyed integrity hash
 * (HMAC-SHA256 under a key derived from the data key) instead of the bare SHA-256, which would
 * confirm a guessed file. The service has no key to seal rows written before: they keep their
 * plaintext name in `meta` and their SHA-256 in `mac`, and are read as such (see
 * attachmentView), until the owner's history is re-encrypted.
 */
export class SealedAttachmentNames1765000000000 implements MigrationInterface {
  name = 'SealedAttachmentNames1765000000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`alter table attachments rename column name to meta`);
    await db.query(`alter table attachments alter column meta type text`);
    await db.query(`alter table attachments rename column sha256 to mac`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`alter table attachments rename column mac to sha256`);
    await db.query(`alter table attachments alter column meta type varchar(200)`);
    await db.query(`alter table attachments rename column meta to name`);
  }
}
