/** The lab's calls: the model registry, a test turn (nothing stored), creating the assistant. */
import type { Schemas } from '@lab/client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { newIdempotencyKey, unwrap } from '../../../lib/api';
import { useAuth } from '../../auth/auth-context';
import { createRequestOf, type LabDraft, labDraftOf } from '../draft';

/** A model id of the registry (the API refuses any other). */
export type ModelId = Schemas['ModelConfigDto']['model'];

export function useModelRegistry() {
  const { client, identity } = useAuth();
  return useQuery({
    queryKey: ['model-registry'],
    enabled: identity !== null,
    staleTime: Infinity,
    queryFn: () => unwrap(client.GET('/v1/lab/models')),
  });
}

export function useLabTurn() {
  const { client } = useAuth();
  return useMutation({
    mutationFn: ({ draft, message }: { draft: LabDraft; message?: string }) =>
      unwrap(
        client.POST('/v1/lab/turns', {
          params: { header: { 'Idempotency-Key': newIdempotencyKey() } },
          body: {
            draft: labDraftOf(draft),
            ...(draft.thread
              ? {
                  thread: {
                    messages: draft.thread.messages,
                    ...(draft.thread.summary ? { summary: draft.thread.summary } : {}),
                  },
                }
              : {}),
            ...(message ? { message } : {}),
          },
        }),
      ),
  });
}

export function useCreateAssistant() {
  const { client } = useAuth();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (draft: LabDraft) =>
      unwrap(client.POST('/v1/assistants', { body: createRequestOf(draft) })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['assistants'] }),
  });
}
