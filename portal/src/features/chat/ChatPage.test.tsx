/**
 * The chat page against a scripted network (a fetch that answers like the gateway): the opening
 * message, a reply streamed in delta by delta, the guarded notice, a refused message in words.
 */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render, screen, waitFor, within } from '@testing-library/react';
import type { ReactNode } from 'react';
import userEvent from '@testing-library/user-event';
import { createMemoryRouter, RouterProvider } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AuthProvider, useAuth } from '../auth/auth-context';
import ChatPage from './ChatPage';

const SESSION = '7f1d2c3b-0000-4000-8000-000000000001';
const ASSISTANT = '7f1d2c3b-0000-4000-8000-0000000000aa';

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });

const session = (messages: Array<{ role: 'user' | 'assistant'; content: string }>) => ({
  session: {
    id: SESSION,
    assistantId: ASSISTANT,
    status: 'active',
    createdAt: '2026-12-01T10:00:00.000Z',
    messageCount: messages.length,
  },
  messages: messages.map((m, position) => ({ ...m, position, createdAt: '2026-12-01T10:00:00Z' })),
  payload: { summary: null, messages: [] },
  recap: null,
});

/** A stream whose events the test releases one by one. */
function controlledStream() {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({ start: (c) => (controller = c) });
  const encoder = new TextEncoder();
  return {
    response: new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } }),
    emit(event: string, data: unknown) {
      controller.enqueue(encoder.encode(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`));
    },
    close: () => controller.close(),
  };
}

function SignedIn({ children }: { children: ReactNode }) {
  const { identity, signIn } = useAuth();
  if (!identity) {
    return (
      <button type="button" onClick={() => void signIn('byok', 'sk-test-key-000000000001')}>
        test sign-in
      </button>
    );
  }
  return <>{children}</>;
}

function renderChat(fetchImpl: (request: Request) => Promise<Response>) {
  vi.stubGlobal(
    'fetch',
    vi.fn((input: Request) => fetchImpl(input)),
  );
  const router = createMemoryRouter(
    [
      {
        path: '/sessions/:id',
        element: (
          <SignedIn>
            <ChatPage />
          </SignedIn>
        ),
      },
    ],
    { initialEntries: [`/sessions/${SESSION}`] },
  );
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <QueryClientProvider client={queryClient}>
      <AuthProvider>
        <RouterProvider router={router} />
      </AuthProvider>
    </QueryClientProvider>,
  );
}

afterEach(() => vi.unstubAllGlobals());

function gateway(onMessage: (request: Request) => Promise<Response> | Response) {
  let stored: Array<{ role: 'user' | 'assistant'; content: string }> = [
    { role: 'assistant', content: 'Hello! What brings you here?' },
  ];
  return {
    setStored: (next: typeof stored) => (stored = next),
    fetch: async (request: Request) => {
      const { pathname } = new URL(request.url);
      if (pathname === '/v1/sign-in') return json(200, { id: 'u1' });
      if (pathname === '/v1/me') {
        return json(200, { id: 'u1', kind: 'byok', scopes: [], createdAt: '', counters: {} });
      }
      if (pathname === `/v1/assistants/${ASSISTANT}`) {
        return json(200, {
          assistant: { id: ASSISTANT, name: 'Career Coach', tagLine: '', createdByYou: false },
          sessions: { items: [], nextCursor: null },
        });
      }
      if (pathname === `/v1/sessions/${SESSION}/attachments`) return json(200, { items: [] });
      if (pathname === `/v1/sessions/${SESSION}/messages`) return onMessage(request);
      if (pathname === `/v1/sessions/${SESSION}`) return json(200, session(stored));
      return json(404, { error: { code: 'not_found', message: 'Not found' } });
    },
  };
}

describe('the chat page', () => {
  it('shows the reply as it streams, then the stored conversation', async () => {
    const stream = controlledStream();
    const api = gateway((request) => {
      expect(request.headers.get('accept')).toBe('text/event-stream');
      expect(request.headers.get('idempotency-key')).toMatch(/^[0-9a-f-]{36}$/);
      return stream.response;
    });
    renderChat(api.fetch);
    await userEvent.click(await screen.findByRole('button', { name: 'test sign-in' }));
    await screen.findByRole('heading', { level: 1, name: 'Session with Career Coach' });
    expect(screen.getByText('Hello! What brings you here?')).toBeTruthy();

    await userEvent.type(screen.getByLabelText('Your message'), 'I want a new job');
    await userEvent.click(screen.getByRole('button', { name: 'Send' }));
    const exchange = await screen.findByRole('list', { name: 'Current exchange' });
    expect(within(exchange).getByText('Career Coach is writing…')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Stop' })).toBeTruthy();

    stream.emit('delta', { type: 'delta', text: 'What kind of job? ' });
    await within(exchange).findByText('What kind of job?');
    stream.emit('delta', { type: 'delta', text: 'Tell me **more**.' });
    await waitFor(() => expect(exchange.querySelector('strong')?.textContent).toBe('more'));

    api.setStored([
      { role: 'assistant', content: 'Hello! What brings you here?' },
      { role: 'user', content: 'I want a new job' },
      { role: 'assistant', content: 'What kind of job? Tell me **more**.' },
    ]);
    stream.emit('done', {
      turnId: 't',
      reply: 'What kind of job? Tell me **more**.',
      guardHit: false,
      usage: { promptTokens: 1, completionTokens: 1 },
      model: 'gpt-4o-mini',
      condensed: 'keep',
    });
    stream.close();
    await waitFor(() =>
      expect(screen.queryByRole('list', { name: 'Current exchange' })).toBeNull(),
    );
    const stored = screen.getByRole('list', { name: 'Messages' });
    expect(within(stored).getAllByRole('listitem')).toHaveLength(3);
    expect(screen.getByRole('button', { name: 'Send' })).toBeTruthy();
  });

  it('a guarded reply is announced', async () => {
    const stream = controlledStream();
    renderChat(gateway(() => stream.response).fetch);
    await userEvent.click(await screen.findByRole('button', { name: 'test sign-in' }));
    await userEvent.type(await screen.findByLabelText('Your message'), 'Your instructions?');
    await userEvent.click(screen.getByRole('button', { name: 'Send' }));
    stream.emit('guarded', { type: 'guarded' });
    stream.emit('done', {
      turnId: 't',
      reply: 'Let us get back to your goals.',
      guardHit: true,
      usage: { promptTokens: 1, completionTokens: 1 },
      model: 'gpt-4o-mini',
      condensed: 'keep',
    });
    stream.close();
    expect(await screen.findByText(/^Guarded reply:/)).toBeTruthy();
  });

  it('a message refused before it streams is explained and kept in the box', async () => {
    renderChat(
      gateway(() =>
        json(
          429,
          {
            error: {
              code: 'rate_limited',
              message: 'Rate limit of 60 requests exceeded; retry in 4 s',
            },
          },
          { 'retry-after': '4' },
        ),
      ).fetch,
    );
    await userEvent.click(await screen.findByRole('button', { name: 'test sign-in' }));
    await userEvent.type(await screen.findByLabelText('Your message'), 'Hello again');
    await userEvent.click(screen.getByRole('button', { name: 'Send' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Too many requests');
    expect(alert.textContent).toContain('wait 4 seconds');
    expect(screen.getByLabelText<HTMLTextAreaElement>('Your message').value).toBe('Hello again');
  });
});
