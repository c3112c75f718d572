import {
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
} from 'class-validator';
import { SCOPES, type Scope } from '../identity/identity.service';

export class CreateApiKeyDto {
  /** What the system is (e.g. `billing-sync`): a label, not a person. */
  @Matches(/^[A-Za-z0-9][A-Za-z0-9 ._-]*$/, { message: 'name must be a plain label' })
  @Length(1, 100)
  @IsString()
  name!: string;

  @IsIn(SCOPES, { each: true })
  @ArrayUnique()
  @ArrayMinSize(1)
  @IsArray()
  scopes!: Scope[];

  /** To replace a key of an existing system: its user id (from the key being replaced). */
  @IsOptional()
  @IsUUID()
  userId?: string;
}
