import { IsBoolean, IsInt, IsNumber, IsString, Length, Max, Min } from 'class-validator';
import { MAX_INT, OptionalNotNull } from './decorators';

/** Details a creator may change; `version` is the assistant version the edit was made on. */
export class UpdateAssistantDto {
  @Max(MAX_INT)
  @Min(1)
  @IsInt()
  version!: number;

  @OptionalNotNull()
  @Length(1, 80)
  @IsString()
  name?: string;

  @OptionalNotNull()
  @Length(1, 160)
  @IsString()
  tagLine?: string;

  @OptionalNotNull()
  @Length(0, 2000)
  @IsString()
  description?: string;

  @OptionalNotNull()
  @Min(0.1)
  @Max(1)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  guardThreshold?: number;

  /** Put a secret canary into the system prompt sent to the model; found in a reply, it is a leak. */
  @OptionalNotNull()
  @IsBoolean()
  guardCanary?: boolean;

  /** Compare reply sentences with the prompt's by embeddings, when the platform has a model for it. */
  @OptionalNotNull()
  @IsBoolean()
  guardSemantic?: boolean;

  /** The semantic stage's cosine threshold (0.9 by default). */
  @OptionalNotNull()
  @Min(0.1)
  @Max(1)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  guardSemanticThreshold?: number;
}
