import {
  IsBoolean,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Length,
  Max,
  Min,
} from 'class-validator';

/** Details a creator may change; `version` is the assistant version the edit was made on. */
export class UpdateAssistantDto {
  @Min(1)
  @IsInt()
  version!: number;

  @IsOptional()
  @Length(1, 80)
  @IsString()
  name?: string;

  @IsOptional()
  @Length(1, 160)
  @IsString()
  tagLine?: string;

  @IsOptional()
  @Length(0, 2000)
  @IsString()
  description?: string;

  @IsOptional()
  @Min(0.1)
  @Max(1)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  guardThreshold?: number;

  /** Put a secret canary into the system prompt sent to the model; found in a reply, it is a leak. */
  @IsOptional()
  @IsBoolean()
  guardCanary?: boolean;

  /** Compare reply sentences with the prompt's by embeddings, when the platform has a model for it. */
  @IsOptional()
  @IsBoolean()
  guardSemantic?: boolean;

  /** The semantic stage's cosine threshold (0.9 by default). */
  @IsOptional()
  @Min(0.1)
  @Max(1)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  guardSemanticThreshold?: number;
}
