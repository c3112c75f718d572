/** The sitemap (seed 000): every page but Home and sign-in is its own lazily loaded chunk. */
import type { ComponentType } from 'react';
import { createBrowserRouter } from 'react-router';
import { HomePage } from '../features/pages/HomePage';
import { SignInPage } from '../features/auth/SignInPage';
import { Layout } from './Layout';

const page = (load: () => Promise<{ default: ComponentType }>) => async () => ({
  Component: (await load()).default,
});

export const router = createBrowserRouter([
  {
    element: <Layout />,
    children: [
      { index: true, element: <HomePage /> },
      { path: 'sign-in', element: <SignInPage /> },
      { path: 'auth/callback', lazy: page(() => import('../features/auth/OidcCallbackPage')) },
      { path: 'lounge', lazy: page(() => import('../features/lounge/LoungePage')) },
      { path: 'assistants/:id', lazy: page(() => import('../features/lounge/AssistantPage')) },
      { path: 'sessions/:id', lazy: page(() => import('../features/chat/ChatPage')) },
      { path: 'lab', lazy: page(() => import('../features/lab/LabPage')) },
      { path: 'mine', lazy: page(() => import('../features/assistants/MyAssistantsPage')) },
      { path: 'mine/:id', lazy: page(() => import('../features/assistants/ManageAssistantPage')) },
      { path: 'usage', lazy: page(() => import('../features/usage/UsagePage')) },
      { path: 'ops', lazy: page(() => import('../features/ops/OpsPage')) },
      { path: 'faq', lazy: page(() => import('../features/pages/FaqPage')) },
      { path: 'terms', lazy: page(() => import('../features/pages/TermsPage')) },
      { path: 'privacy', lazy: page(() => import('../features/pages/PrivacyPage')) },
      { path: '*', lazy: page(() => import('../features/pages/NotFoundPage')) },
    ],
  },
]);
