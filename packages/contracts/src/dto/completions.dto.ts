import { type CompletionMessage, type CompletionTool, MAX_COMPLETION_CHOICES } from '../turns';
import {
  Allow,
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
} from 'class-validator';
import { NestedObject, NestedObjects, OptionalNestedObject, OptionalNotNull } from './decorators';

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

/** `response_format.json_schema` as the gateway passes it on. */
export class CompletionJsonSchemaDto {
  @Matches(/^[A-Za-z0-9_-]{1,64}$/)
  @IsString()
  name!: string;

  @OptionalNotNull()
  @MaxLength(1024)
  @IsString()
  description?: string;

  @IsObject()
  schema!: Record<string, unknown>;

  @IsBoolean()
  strict!: boolean;
}

export class CompletionResponseFormatDto {
  @IsIn(['json_object', 'json_schema'])
  type!: 'json_object' | 'json_schema';

  /** Required with `type: "json_schema"` (the gateway checked it goes with it only). */
  @ValidateIf(
    (format: CompletionResponseFormatDto) =>
      format.type === 'json_schema' || format.jsonSchema !== undefined,
  )
  @NestedObject(() => CompletionJsonSchemaDto)
  jsonSchema?: CompletionJsonSchemaDto;
}

/**
 * What the caller asked of this completion (`CompletionOptions`): bounded as OpenAI bounds it;
 * the assistant's own cap still applies (the lower of the two).
 */
export class CompletionOptionsDto {
  @OptionalNotNull()
  @Max(1_000_000)
  @Min(1)
  @IsInt()
  maxTokens?: number;

  @OptionalNotNull()
  @Max(2)
  @Min(0)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  temperature?: number;

  @OptionalNotNull()
  @Max(1)
  @Min(0)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  topP?: number;

  @OptionalNotNull()
  @Max(2)
  @Min(-2)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  presencePenalty?: number;

  @OptionalNotNull()
  @Max(2)
  @Min(-2)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  frequencyPenalty?: number;

  @OptionalNotNull()
  @Max(Number.MAX_SAFE_INTEGER)
  @Min(Number.MIN_SAFE_INTEGER)
  @IsInt()
  seed?: number;

  @OptionalNotNull()
  @MaxLength(256, { each: true })
  @IsString({ each: true })
  @ArrayMaxSize(4)
  @IsArray()
  stop?: string[];

  @OptionalNotNull()
  @Max(MAX_COMPLETION_CHOICES)
  @Min(1)
  @IsInt()
  n?: number;

  @OptionalNotNull()
  @IsBoolean()
  logprobs?: boolean;

  @OptionalNotNull()
  @Max(20)
  @Min(0)
  @IsInt()
  topLogprobs?: number;

  @OptionalNestedObject(() => CompletionResponseFormatDto)
  responseFormat?: CompletionResponseFormatDto;

  /** The caller's functions, as OpenAI defines them (the gateway checked their shape). */
  @OptionalNotNull()
  @IsObject({ each: true })
  @ArrayMaxSize(128)
  @IsArray()
  tools?: CompletionTool[];

  @Allow()
  toolChoice?: unknown;

  @OptionalNotNull()
  @IsBoolean()
  parallelToolCalls?: boolean;

  /** With tools: the conversation as OpenAI's messages (the gateway checked their shape). */
  @OptionalNotNull()
  @IsObject({ each: true })
  @ArrayMaxSize(200)
  @IsArray()
  conversation?: CompletionMessage[];
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

  @OptionalNestedObject(() => CompletionOptionsDto)
  options?: CompletionOptionsDto;
}
