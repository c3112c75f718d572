/**
 * OpenAI's chat-completions request, as far as an assistant uses it. The model is
 * `assistant/<id or share code>`; the assistant's own prompts, guard and model configuration
 * apply, and the caller's parameters within them: `max_tokens` / `max_completion_tokens` lower
 * the assistant's cap, sampling parameters, `seed` and `stop` go to the model, `response_format`
 * too; `n` (at most 8) and `logprobs` as well, each choice guarded on its own. A top-level
 * field of OpenAI's that is not here is ignored with a warning (openai-request.ts); a nested one
 * is refused.
 */
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  Validate,
  ValidateIf,
  type ValidationArguments,
  ValidatorConstraint,
  type ValidatorConstraintInterface,
} from 'class-validator';
import { JSONSchema } from 'class-validator-jsonschema';
import type { SchemaObject } from 'openapi3-ts';
import { MAX_COMPLETION_CHOICES } from '@lab/contracts';
import {
  NestedObject,
  NestedObjects,
  OptionalNestedObject,
  OptionalNotNull,
} from '@lab/contracts/dto';

const nullable = JSONSchema({ nullable: true });

const textPart: SchemaObject = {
  type: 'object',
  required: ['type', 'text'],
  additionalProperties: false,
  properties: { type: { type: 'string', enum: ['text'] }, text: { type: 'string' } },
};

@ValidatorConstraint({ name: 'isMessageContent' })
export class IsMessageContent implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    if (typeof value === 'string') return value.length <= 16_000;
    return (
      Array.isArray(value) &&
      value.length <= 100 &&
      value.every(
        (part: unknown) =>
          typeof part === 'object' &&
          part !== null &&
          (part as { type?: unknown }).type === 'text' &&
          typeof (part as { text?: unknown }).text === 'string' &&
          Object.keys(part).every((key) => key === 'type' || key === 'text'),
      )
    );
  }

  defaultMessage(): string {
    return 'content must be a string (at most 16000 characters) or an array of text parts';
  }
}

@ValidatorConstraint({ name: 'isStop' })
export class IsStop implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    if (typeof value === 'string') return value.length <= 256;
    return (
      Array.isArray(value) &&
      value.length <= 4 &&
      value.every((item) => typeof item === 'string' && item.length <= 256)
    );
  }

  defaultMessage(): string {
    return 'stop must be a string or an array of at most 4 strings';
  }
}

@ValidatorConstraint({ name: 'isMetadata' })
export class IsMetadata implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
    const entries = Object.entries(value);
    return (
      entries.length <= 16 &&
      entries.every(
        ([key, item]) => key.length <= 64 && typeof item === 'string' && item.length <= 512,
      )
    );
  }

  defaultMessage(): string {
    return 'metadata must be an object of at most 16 string values';
  }
}

const FUNCTION_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const FUNCTION_NAME_MESSAGE = 'name must be 1 to 64 letters, digits, underscores or dashes';

/** A call the model made of one of the caller's functions, as the history carries it. */
export class ToolCallFunctionDto {
  @Matches(FUNCTION_NAME, { message: FUNCTION_NAME_MESSAGE })
  @IsString()
  name!: string;

  /** The arguments, a JSON text as the model wrote it. */
  @MaxLength(16_000)
  @IsString()
  arguments!: string;
}

export class ToolCallDto {
  @Matches(/^[\w-]{1,64}$/, {
    message: 'id must be 1 to 64 letters, digits, underscores or dashes',
  })
  @IsString()
  id!: string;

  @IsIn(['function'])
  type!: 'function';

  @NestedObject(() => ToolCallFunctionDto)
  function!: ToolCallFunctionDto;
}

/** A field only some roles' messages have (`tool_calls`: the assistant's; `tool_call_id`: a tool's). */
@ValidatorConstraint({ name: 'isForRole' })
export class IsForRole implements ValidatorConstraintInterface {
  validate(_value: unknown, args: ValidationArguments): boolean {
    return (args.object as ChatMessageDto).role === args.constraints[0];
  }

  defaultMessage(args: ValidationArguments): string {
    return `${args.property} goes with role "${String(args.constraints[0])}" only`;
  }
}

export class ChatMessageDto {
  @IsIn(['system', 'developer', 'user', 'assistant', 'tool'])
  role!: 'system' | 'developer' | 'user' | 'assistant' | 'tool';

  /**
   * A string, or an array of `{ type: 'text', text }` parts; an assistant's message that calls
   * functions may have none (null).
   */
  @JSONSchema(() => ({
    nullable: true,
    oneOf: [
      { type: 'string', maxLength: 16_000 },
      { type: 'array', maxItems: 100, items: textPart },
    ],
  }))
  @ValidateIf(
    (message: ChatMessageDto) =>
      message.role !== 'assistant' || (message.content !== null && message.content !== undefined),
  )
  @Validate(IsMessageContent)
  content?: string | Array<{ type: 'text'; text: string }> | null;

  @OptionalNotNull()
  @MaxLength(64)
  @IsString()
  name?: string;

  /** An assistant's calls of the caller's functions. */
  @ArrayMaxSize(64)
  @OptionalNotNull()
  @NestedObjects(() => ToolCallDto)
  @Validate(IsForRole, ['assistant'])
  tool_calls?: ToolCallDto[];

  /** A tool message: the call it answers. */
  @Matches(/^[\w-]{1,64}$/, {
    message: 'tool_call_id must be 1 to 64 letters, digits, underscores or dashes',
  })
  @ValidateIf(
    (message: ChatMessageDto) => message.role === 'tool' || message.tool_call_id !== undefined,
  )
  @IsString()
  @Validate(IsForRole, ['tool'])
  tool_call_id?: string;
}

/** One of the caller's functions: its name, what it does, its parameters' JSON Schema. */
export class FunctionDefinitionDto {
  @Matches(FUNCTION_NAME, { message: FUNCTION_NAME_MESSAGE })
  @IsString()
  name!: string;

  @OptionalNotNull()
  @MaxLength(1024)
  @IsString()
  description?: string;

  @JSONSchema({ type: 'object', additionalProperties: true })
  @OptionalNotNull()
  @IsObject()
  parameters?: Record<string, unknown>;

  @nullable
  @IsOptional()
  @IsBoolean()
  strict?: boolean | null;
}

export class ToolDto {
  @IsIn(['function'])
  type!: 'function';

  @NestedObject(() => FunctionDefinitionDto)
  function!: FunctionDefinitionDto;
}

export class NamedFunctionDto {
  @Matches(FUNCTION_NAME, { message: FUNCTION_NAME_MESSAGE })
  @IsString()
  name!: string;
}

export class NamedToolChoiceDto {
  @IsIn(['function'])
  type!: 'function';

  @NestedObject(() => NamedFunctionDto)
  function!: NamedFunctionDto;
}

@ValidatorConstraint({ name: 'isToolChoice' })
export class IsToolChoice implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    if (value === 'none' || value === 'auto' || value === 'required') return true;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
    const choice = value as { type?: unknown; function?: unknown };
    const fn = choice.function as { name?: unknown } | undefined;
    return (
      Object.keys(value).every((key) => key === 'type' || key === 'function') &&
      choice.type === 'function' &&
      typeof fn === 'object' &&
      fn !== null &&
      Object.keys(fn).every((key) => key === 'name') &&
      typeof fn.name === 'string' &&
      FUNCTION_NAME.test(fn.name)
    );
  }

  defaultMessage(): string {
    return 'tool_choice must be "none", "auto", "required" or {type: "function", function: {name}}';
  }
}

/** `response_format.json_schema`: the schema the reply must follow (strict: exactly). */
export class JsonSchemaFormatDto {
  @Matches(/^[A-Za-z0-9_-]{1,64}$/, {
    message: 'name must be 1 to 64 letters, digits, underscores or dashes',
  })
  @IsString()
  name!: string;

  @OptionalNotNull()
  @MaxLength(1024)
  @IsString()
  description?: string;

  @JSONSchema({ type: 'object', additionalProperties: true })
  @OptionalNotNull()
  @IsObject()
  schema?: Record<string, unknown>;

  @nullable
  @IsOptional()
  @IsBoolean()
  strict?: boolean | null;
}

@ValidatorConstraint({ name: 'isJsonSchemaFormat' })
export class IsWithJsonSchemaType implements ValidatorConstraintInterface {
  validate(_value: unknown, args: ValidationArguments): boolean {
    return (args.object as ResponseFormatDto).type === 'json_schema';
  }

  defaultMessage(): string {
    return 'json_schema goes with type "json_schema" only';
  }
}

export class ResponseFormatDto {
  @IsIn(['text', 'json_object', 'json_schema'])
  type!: 'text' | 'json_object' | 'json_schema';

  /** Required with `type: "json_schema"`, and only there. */
  @ValidateIf(
    (format: ResponseFormatDto) =>
      format.type === 'json_schema' || format.json_schema !== undefined,
  )
  @NestedObject(() => JsonSchemaFormatDto)
  @Validate(IsWithJsonSchemaType)
  json_schema?: JsonSchemaFormatDto;
}

export class StreamOptionsDto {
  @OptionalNotNull()
  @IsBoolean()
  include_usage?: boolean;
}

export class ChatCompletionsDto {
  @Matches(/^assistant\/[A-Za-z0-9-]{4,64}$/, {
    message: 'model must name an assistant: assistant/<id or share code>',
  })
  @IsString()
  model!: string;

  @ArrayMaxSize(200)
  @ArrayMinSize(1)
  @NestedObjects(() => ChatMessageDto)
  messages!: ChatMessageDto[];

  // OpenAI's own request marks these nullable; an SDK may send null for "not set".
  @nullable
  @IsOptional()
  @IsBoolean()
  stream?: boolean | null;

  @OptionalNestedObject(() => StreamOptionsDto)
  stream_options?: StreamOptionsDto;

  /**
   * Choices to answer, each guarded on its own; at most 8 (OpenAI allows 128), as every choice
   * costs its tokens and a guard pass. Chat models only.
   */
  @nullable
  @IsOptional()
  @Max(MAX_COMPLETION_CHOICES, {
    message: `n must be at most ${MAX_COMPLETION_CHOICES}: every choice is guarded and paid for`,
  })
  @Min(1)
  @IsInt()
  n?: number | null;

  // The assistant's model configuration unless the caller sets them (bounded as OpenAI bounds them).
  @nullable
  @IsOptional()
  @Min(0)
  @Max(2)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  temperature?: number | null;

  @nullable
  @IsOptional()
  @Min(0)
  @Max(1)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  top_p?: number | null;

  @nullable
  @IsOptional()
  @Min(1)
  @Max(1_000_000)
  @IsInt()
  max_tokens?: number | null;

  @nullable
  @IsOptional()
  @Min(1)
  @Max(1_000_000)
  @IsInt()
  max_completion_tokens?: number | null;

  @nullable
  @IsOptional()
  @Min(-2)
  @Max(2)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  presence_penalty?: number | null;

  @nullable
  @IsOptional()
  @Min(-2)
  @Max(2)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  frequency_penalty?: number | null;

  @nullable
  @IsOptional()
  @Min(Number.MIN_SAFE_INTEGER)
  @Max(Number.MAX_SAFE_INTEGER)
  @IsInt()
  seed?: number | null;

  @JSONSchema(() => ({
    nullable: true,
    oneOf: [
      { type: 'string', maxLength: 256 },
      { type: 'array', maxItems: 4, items: { type: 'string', maxLength: 256 } },
    ],
  }))
  @IsOptional()
  @Validate(IsStop)
  stop?: string | string[] | null;

  @OptionalNotNull()
  @MaxLength(256)
  @IsString()
  user?: string;

  @JSONSchema(() => ({
    nullable: true,
    type: 'object',
    maxProperties: 16,
    additionalProperties: { type: 'string', maxLength: 512 },
  }))
  @IsOptional()
  @Validate(IsMetadata)
  metadata?: Record<string, string> | null;

  @nullable
  @IsOptional()
  @IsBoolean()
  store?: boolean | null;

  @OptionalNestedObject(() => ResponseFormatDto)
  response_format?: ResponseFormatDto;

  /** The caller's functions, offered to the model with the assistant's prompt in front. */
  @ArrayMaxSize(128)
  @OptionalNotNull()
  @NestedObjects(() => ToolDto)
  tools?: ToolDto[];

  @JSONSchema(() => ({
    oneOf: [
      { type: 'string', enum: ['none', 'auto', 'required'] },
      { $ref: '#/components/schemas/NamedToolChoiceDto' },
    ],
  }))
  @OptionalNotNull()
  @Validate(IsToolChoice)
  tool_choice?: 'none' | 'auto' | 'required' | NamedToolChoiceDto;

  @nullable
  @IsOptional()
  @IsBoolean()
  parallel_tool_calls?: boolean | null;

  /**
   * The reply's log probabilities, token by token (chat models only); `null` for a choice the
   * guard replaced. `top_logprobs` (0 to 20) goes with `logprobs: true` only.
   */
  @nullable
  @IsOptional()
  @IsBoolean()
  logprobs?: boolean | null;

  @nullable
  @IsOptional()
  @Min(0)
  @Max(20)
  @IsInt()
  top_logprobs?: number | null;
}
