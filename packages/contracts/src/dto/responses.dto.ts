import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsObject,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  MinLength,
} from 'class-validator';
import { OptionalNestedObject, OptionalNotNull } from './decorators';
import { CompletionOptionsDto } from './completions.dto';

/** A response id as the gateway makes them: `resp_` + 24 random bytes, hex. */
export const RESPONSE_ID = /^resp_[0-9a-f]{48}$/;

/**
 * A Responses API exchange on a response chain (decision 0022), as the gateway passes it to the
 * sessions service: the user's message, the caller's instructions and options for this turn,
 * and, when stored, the response's id and envelope (what the gateway answers again on `GET`).
 * `previousResponseId` continues that response's session (of `assistantId`); without it a new
 * chain starts with `assistantId`. `store: false` (with a previous response) continues without storing anything.
 */
export class CreateStoredResponseDto {
  @Matches(RESPONSE_ID)
  @IsString()
  responseId!: string;

  /** The assistant the request's `model` names: a chain's own when it continues one. */
  @IsUUID()
  assistantId!: string;

  @OptionalNotNull()
  @MaxLength(100)
  @IsString()
  previousResponseId?: string;

  @MaxLength(16_000)
  @MinLength(1)
  @IsString()
  content!: string;

  /** The caller's instructions and system/developer messages, right after the prompt. */
  @OptionalNotNull()
  @MaxLength(16_000, { each: true })
  @IsString({ each: true })
  @ArrayMaxSize(256)
  @IsArray()
  instructions?: string[];

  @OptionalNestedObject(() => CompletionOptionsDto)
  options?: CompletionOptionsDto;

  /** The response object's request-side fields and input items: sealed, stored, given back. */
  @IsObject()
  envelope!: Record<string, unknown>;

  @IsBoolean()
  store!: boolean;

  @OptionalNotNull()
  @IsBoolean()
  stream?: boolean;
}
