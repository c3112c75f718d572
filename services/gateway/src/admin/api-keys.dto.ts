import {
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsString,
  IsNumber,
  IsUUID,
  Length,
  Matches,
  Max,
  Min,
} from 'class-validator';
import { OptionalNestedObject, OptionalNotNull } from '@lab/contracts/dto';
import { SCOPES, type Scope } from '../identity/identity.service';

/**
 * A key's spend caps in USD per UTC day, ISO week (from Monday) and calendar month; unset: none.
 * Stored with 10 decimals (numeric(20, 10)). Not `maxDecimalPlaces`: class-validator's check
 * throws on a number it prints in exponent form (`5e-324`), which answered 500.
 */
export class SpendCapsDto {
  @OptionalNotNull()
  @Max(1_000_000_000)
  @Min(0)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  dailyUsd?: number;

  @OptionalNotNull()
  @Max(1_000_000_000)
  @Min(0)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  weeklyUsd?: number;

  @OptionalNotNull()
  @Max(1_000_000_000)
  @Min(0)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  monthlyUsd?: number;
}

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
  @OptionalNotNull()
  @IsUUID()
  userId?: string;

  /**
   * The key's own spend caps. The key is also bound by its system user's caps (the gateway's
   * SPEND_CAP_USER_*_USD, shared by all the system's keys): the tighter wins.
   */
  @OptionalNestedObject(() => SpendCapsDto)
  spendCaps?: SpendCapsDto;
}
