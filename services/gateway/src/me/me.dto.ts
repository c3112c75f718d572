import { IsString, Length } from 'class-validator';

export class RotateOpenAiKeyDto {
  /** The new OpenAI key; it is checked with the provider before anything changes. */
  @Length(20, 300)
  @IsString()
  newKey!: string;
}
