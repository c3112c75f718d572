/** The creator's operations: details, prompt and model-config versions, activate, deactivate. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Schemas } from '@lab/client';
import { unwrap } from '../../../lib/api';
import { useAuth } from '../../auth/auth-context';

export interface PromptVersion {
  id: string;
  number: number;
  initialPrompt: string;
  summaryPrompt: string;
  sessionsStarted: number;
  sessionsEnded: number;
  createdAt: string;
  active: boolean;
}

export type ModelConfigVersion = Schemas['ModelConfigDto'] & {
  id: string;
  number: number;
  createdAt: string;
  active: boolean;
};

export function usePromptVersions(id: string) {
  const { client, identity } = useAuth();
  return useQuery({
    queryKey: ['assistant', id, identity?.me.id, 'prompt-versions'],
    queryFn: async () =>
      (await unwrap(
        client.GET('/v1/assistants/{id}/prompt-versions', { params: { path: { id } } }),
      )) as unknown as PromptVersion[],
  });
}

export function useModelConfigVersions(id: string) {
  const { client, identity } = useAuth();
  return useQuery({
    queryKey: ['assistant', id, identity?.me.id, 'model-config-versions'],
    queryFn: async () =>
      (await unwrap(
        client.GET('/v1/assistants/{id}/model-config-versions', { params: { path: { id } } }),
      )) as unknown as ModelConfigVersion[],
  });
}

function useInvalidate(id: string) {
  const queryClient = useQueryClient();
  return () => {
    void queryClient.invalidateQueries({ queryKey: ['assistant', id] });
    void queryClient.invalidateQueries({ queryKey: ['assistants'] });
  };
}

export function useUpdateDetails(id: string) {
  const { client } = useAuth();
  const onSuccess = useInvalidate(id);
  return useMutation({
    mutationFn: (body: Schemas['UpdateAssistantDto']) =>
      unwrap(client.PATCH('/v1/assistants/{id}', { params: { path: { id } }, body })),
    onSuccess,
  });
}

export function useAddPromptVersion(id: string) {
  const { client } = useAuth();
  const onSuccess = useInvalidate(id);
  return useMutation({
    mutationFn: (body: Schemas['AddPromptVersionDto']) =>
      unwrap(
        client.POST('/v1/assistants/{id}/prompt-versions', { params: { path: { id } }, body }),
      ),
    onSuccess,
  });
}

export function useAddModelConfigVersion(id: string) {
  const { client } = useAuth();
  const onSuccess = useInvalidate(id);
  return useMutation({
    mutationFn: (body: Schemas['AddModelConfigVersionDto']) =>
      unwrap(
        client.POST('/v1/assistants/{id}/model-config-versions', {
          params: { path: { id } },
          body,
        }),
      ),
    onSuccess,
  });
}

export function useActivateVersion(id: string) {
  const { client } = useAuth();
  const onSuccess = useInvalidate(id);
  return useMutation({
    mutationFn: ({ kind, versionId }: { kind: 'prompt' | 'model-config'; versionId: string }) =>
      kind === 'prompt'
        ? unwrap(
            client.POST('/v1/assistants/{id}/prompt-versions/{versionId}/activate', {
              params: { path: { id, versionId } },
              body: {},
            }),
          )
        : unwrap(
            client.POST('/v1/assistants/{id}/model-config-versions/{versionId}/activate', {
              params: { path: { id, versionId } },
              body: {},
            }),
          ),
    onSuccess,
  });
}

export function useDeactivate(id: string) {
  const { client } = useAuth();
  const onSuccess = useInvalidate(id);
  return useMutation({
    mutationFn: () =>
      unwrap(client.POST('/v1/assistants/{id}/deactivate', { params: { path: { id } } })),
    onSuccess,
  });
}
