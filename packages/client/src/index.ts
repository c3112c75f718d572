/**
 * The typed client of the platform's public API. `schema.ts` and `openapi.json` are generated
 * from the gateway's OpenAPI document (`npm run generate -w @lab/client`); the end-to-end suite
 * fails when the running gateway's document differs from them, so the client cannot drift.
 *
 *   const lab = createLabClient({ baseUrl: 'http://127.0.0.1:3000', credential: openAiKey });
 *   const { data, error } = await lab.POST('/v1/sessions', { body: { assistantId } });
 */
import createClient, { type Client, type ClientOptions } from 'openapi-fetch';
import type { components, paths } from './schema';

export type { components, operations, paths } from './schema';
export type Schemas = components['schemas'];
export type LabClient = Client<paths>;

export interface LabClientOptions extends Omit<ClientOptions, 'baseUrl'> {
  /** The gateway, e.g. `http://127.0.0.1:3000` (paths start with `/v1`). */
  baseUrl: string;
  /**
   * An OpenAI key (bring-your-own-key), an OIDC access token or a platform API key; without
   * one, requests go unauthenticated (the portal before sign-in).
   */
  credential?: string | null;
}

export function createLabClient({
  baseUrl,
  credential,
  headers,
  ...rest
}: LabClientOptions): LabClient {
  return createClient<paths>({
    ...rest,
    baseUrl,
    headers: {
      ...(headers as Record<string, string> | undefined),
      ...(credential ? { authorization: `Bearer ${credential}` } : {}),
    },
  });
}
