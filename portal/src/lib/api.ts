/**
 * The portal's one way to the API: the generated `@lab/client` on this origin, and `unwrap`,
 * which turns its `{ data, error, response }` into the data or an ApiError in the one error model.
 */
import { createLabClient, type LabClient } from '@lab/client';
import { apiErrorFrom } from './errors';

export type { LabClient };

export function portalClient(credential: string | null): LabClient {
  return createLabClient({ baseUrl: window.location.origin, credential });
}

interface ClientAnswer<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

export async function unwrap<T>(call: Promise<ClientAnswer<T>>): Promise<T> {
  const { data, error, response } = await call;
  if (error !== undefined || !response.ok) {
    throw apiErrorFrom(response.status, error, response.headers);
  }
  return data as T;
}

export const newIdempotencyKey = (): string => crypto.randomUUID();
