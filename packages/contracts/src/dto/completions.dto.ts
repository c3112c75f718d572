import {
  ArrayMaxSize,
  ArrayMinSize,
  IsBoolean,
  IsIn,
  IsString,
  IsUUID,
  MaxLength,
} from 'class-validator';
import { NestedObjects, OptionalNotNull } from './decorators';

/**
 * One message of the conversation so far, as an OpenAI chat request carries it (text only; empty
 * content is allowed, as OpenAI allows it, except for the last user message).
 */
export class CompletionMessageDto {
  @IsIn(['system', 'user', 'assistant'])
  role!: 'system' | 'user' | 'assistant';

  @MaxLength(16_000)
  @IsString()
  content!: string;
}

/** A completion with a stored assistant: the caller keeps the conversation and sends it whole. */
export class CreateCompletionDto {
  @IsUUID()
  assistantId!: string;

  @ArrayMinSize(1)
  @ArrayMaxSize(200)
  @NestedObjects(() => CompletionMessageDto)
  messages!: CompletionMessageDto[];

  @OptionalNotNull()
  @IsBoolean()
  stream?: boolean;
}
