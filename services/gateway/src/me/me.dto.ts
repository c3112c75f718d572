import { IsString, Length } from 'class-validator';
import { JSONSchema } from 'class-validator-jsonschema';
import { DEFAULT_PROVIDER_KEY_PATTERN } from '../identity/credentials';

export class RotateOpenAiKeyDto {
  /** The new OpenAI key; it is checked with the provider before anything changes. */
  @JSONSchema({
    pattern: DEFAULT_PROVIDER_KEY_PATTERN.source,
    description: 'An OpenAI key: matches PROVIDER_KEY_PATTERN (the default is shown)',
  })
  @Length(20, 300)
  @IsString()
  newKey!: string;
}
