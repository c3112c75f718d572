/**
 * Checks a bring-your-own OpenAI key once, with the LLM provider, before a user is made for it:
 * `GET /models` answers 200 for a usable key and 401 for a refused one.
 */
import { HttpStatus } from '@nestjs/common';
import { ApiException } from '@lab/platform/http';

export class ProviderKeys {
  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs = 10_000,
  ) {}

  async check(key: string): Promise<void> {
    let status: number;
    try {
      const answer = await fetch(`${this.baseUrl.replace(/\/$/, '')}/models`, {
        headers: { authorization: `Bearer ${key}` },
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      status = answer.status;
      await answer.body?.cancel();
    } catch {
      throw new ApiException(
        HttpStatus.SERVICE_UNAVAILABLE,
        'provider_unavailable',
        'The LLM provider could not be reached to check the OpenAI key; try again',
      );
    }
    if (status === 401 || status === 403) {
      throw new ApiException(
        HttpStatus.UNAUTHORIZED,
        'invalid_openai_key',
        'The LLM provider refused this OpenAI key',
      );
    }
    if (status >= 300) {
      throw new ApiException(
        HttpStatus.SERVICE_UNAVAILABLE,
        'provider_unavailable',
        `The LLM provider answered ${status} while checking the OpenAI key; try again`,
      );
    }
  }
}
