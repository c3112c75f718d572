import { IsInt, IsNumber, IsString, Max, MaxLength, Min } from 'class-validator';
import { MAX_INT } from './decorators';

/**
 * A model configuration as a client sends it (an assistant's version, or a lab draft). The
 * registry checks (a known model, max tokens within its limit) come in the services.
 */
export class ModelConfigDto {
  @MaxLength(64)
  @IsString()
  model!: string;

  @Max(MAX_INT)
  @Min(1)
  @IsInt()
  maxTokens!: number;

  @Min(0)
  @Max(2)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  temperature!: number;

  @Min(0)
  @Max(1)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  topP!: number;

  @Min(-2)
  @Max(2)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  frequencyPenalty!: number;

  @Min(-2)
  @Max(2)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  presencePenalty!: number;
}
