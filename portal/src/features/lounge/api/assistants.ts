/** The lounge's queries: showcased, mine, search, by share code, one assistant's details. */
import { useMutation, useQuery } from '@tanstack/react-query';
import type { Schemas } from '@lab/client';
import { unwrap } from '../../../lib/api';
import { useAuth } from '../../auth/auth-context';

export type Assistant = Schemas['Assistant'];

export function useLounge() {
  const { client, identity } = useAuth();
  return useQuery({
    queryKey: ['lounge', identity?.me.id ?? 'visitor'],
    queryFn: () =>
      identity
        ? unwrap(client.GET('/v1/assistants/showcased', { params: { query: { limit: 50 } } }))
        : unwrap(client.GET('/v1/lounge')),
  });
}

export function useMyAssistants() {
  const { client, identity } = useAuth();
  return useQuery({
    queryKey: ['assistants', 'mine', identity?.me.id],
    enabled: identity !== null,
    queryFn: () => unwrap(client.GET('/v1/assistants/mine', { params: { query: { limit: 50 } } })),
  });
}

export function useAssistantSearch(q: string) {
  const { client, identity } = useAuth();
  return useQuery({
    queryKey: ['assistants', 'search', identity?.me.id, q],
    enabled: identity !== null && q.trim().length > 0,
    queryFn: () =>
      unwrap(client.GET('/v1/assistants/search', { params: { query: { q, limit: 20 } } })),
  });
}

/** What people type for a share code: case, spaces, dashes and look-alikes do not matter. */
export function normaliseShareCode(input: string): string {
  return input.toUpperCase().replace(/[\s-]/g, '').replace(/[IL]/g, '1').replace(/O/g, '0');
}

export function useFindByCode() {
  const { client } = useAuth();
  return useMutation({
    mutationFn: (code: string) =>
      unwrap(
        client.GET('/v1/assistants/by-code/{code}', {
          params: { path: { code: normaliseShareCode(code) } },
        }),
      ),
  });
}

export function useAssistantDetails(id: string) {
  const { client, identity } = useAuth();
  return useQuery({
    queryKey: ['assistant', id, identity?.me.id],
    enabled: identity !== null,
    queryFn: () => unwrap(client.GET('/v1/assistants/{id}', { params: { path: { id } } })),
  });
}
