/** Sessions: start, resume (the stored messages), send (streamed), end, attachments. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Schemas } from '@lab/client';
import { newIdempotencyKey, unwrap } from '../../../lib/api';
import { apiErrorFrom } from '../../../lib/errors';
import { readTurnStream, type TurnEvent } from '../../../lib/stream';
import { useAuth } from '../../auth/auth-context';

export type ResumedSession = Schemas['ResumedSession'];
export type Session = Schemas['Session'];

export function useStartSession() {
  const { client } = useAuth();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (assistantId: string) =>
      unwrap(
        client.POST('/v1/sessions', {
          body: { assistantId },
          params: { header: { 'Idempotency-Key': newIdempotencyKey() } },
        }),
      ),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['assistant'] }),
  });
}

export function useSession(id: string) {
  const { client, identity } = useAuth();
  return useQuery({
    queryKey: ['session', id, identity?.me.id],
    enabled: identity !== null,
    queryFn: () => unwrap(client.GET('/v1/sessions/{id}', { params: { path: { id } } })),
  });
}

/** Sends a message and streams the reply's events to `onEvent`; `signal` stops the stream. */
export function useSendMessage(sessionId: string) {
  const { client } = useAuth();
  return async (content: string, onEvent: (event: TurnEvent) => void, signal: AbortSignal) => {
    const { response, error } = await client.POST('/v1/sessions/{id}/messages', {
      params: {
        path: { id: sessionId },
        query: { stream: 'true' },
        header: { 'Idempotency-Key': newIdempotencyKey() },
      },
      headers: { accept: 'text/event-stream' },
      body: { content },
      parseAs: 'stream',
      signal,
    });
    // A turn refused before it began (429, 402, 409…) is an ordinary answer in the error model;
    // openapi-fetch has already read its body into `error`.
    if (!response.ok || !response.body)
      throw apiErrorFrom(response.status, error, response.headers);
    await readTurnStream(response.body, onEvent);
  };
}

export function useEndSession(sessionId: string) {
  const { client } = useAuth();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () =>
      unwrap(client.POST('/v1/sessions/{id}/end', { params: { path: { id: sessionId } } })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['session', sessionId] }),
  });
}

export type Attachment = {
  id: string;
  name: string;
  contentType: string;
  size: number;
  origin: 'user' | 'assistant';
  createdAt: string;
};

export function useAttachments(sessionId: string) {
  const { client, identity } = useAuth();
  return useQuery({
    queryKey: ['attachments', sessionId, identity?.me.id],
    enabled: identity !== null,
    queryFn: () =>
      unwrap(client.GET('/v1/sessions/{id}/attachments', { params: { path: { id: sessionId } } })),
  });
}

export const UPLOAD_TYPES = ['text/plain', 'text/markdown', 'text/csv', 'application/pdf'];

export function useUpload(sessionId: string) {
  const { client } = useAuth();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (file: File) => {
      const type = file.type || (file.name.endsWith('.md') ? 'text/markdown' : 'text/plain');
      return unwrap(
        client.POST('/v1/sessions/{id}/attachments', {
          params: {
            path: { id: sessionId },
            header: { 'x-filename': encodeURIComponent(file.name) },
          },
          headers: { 'content-type': type },
          body: (await file.arrayBuffer()) as unknown as string,
          bodySerializer: (body: unknown) => body as ArrayBuffer,
        }),
      );
    },
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['attachments', sessionId] }),
  });
}

export function useDownload(sessionId: string) {
  const { client } = useAuth();
  return async (attachment: Attachment) => {
    const { data, error, response } = await client.GET(
      '/v1/sessions/{id}/attachments/{attachmentId}',
      { params: { path: { id: sessionId, attachmentId: attachment.id } }, parseAs: 'blob' },
    );
    if (!response.ok || !data) throw apiErrorFrom(response.status, error, response.headers);
    const url = URL.createObjectURL(data);
    const link = document.createElement('a');
    link.href = url;
    link.download = attachment.name;
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };
}
