/**
 * Who is signed in, for this tab only: the credential (an OpenAI key or an OIDC access token)
 * lives in React state and nowhere else: not localStorage, not a cookie, not sessionStorage.
 * Reloading the tab or signing out forgets it.
 */
import { useQueryClient } from '@tanstack/react-query';
import { createContext, type ReactNode, useCallback, useContext, useMemo, useState } from 'react';
import type { Schemas } from '@lab/client';
import { type LabClient, portalClient, unwrap } from '../../lib/api';

export type Me = Schemas['Me'];

export interface Identity {
  kind: 'byok' | 'oidc';
  me: Me;
}

interface AuthState {
  identity: Identity | null;
  client: LabClient;
  signIn: (kind: Identity['kind'], credential: string) => Promise<void>;
  signOut: () => void;
}

const AuthContext = createContext<AuthState | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [credential, setCredential] = useState<string | null>(null);
  const [identity, setIdentity] = useState<Identity | null>(null);
  const client = useMemo(() => portalClient(credential), [credential]);

  const signIn = useCallback(
    async (kind: Identity['kind'], candidate: string) => {
      const candidateClient = portalClient(candidate);
      await unwrap(candidateClient.POST('/v1/sign-in'));
      const me = await unwrap(candidateClient.GET('/v1/me'));
      queryClient.clear();
      setCredential(candidate);
      setIdentity({ kind, me });
    },
    [queryClient],
  );

  const signOut = useCallback(() => {
    setCredential(null);
    setIdentity(null);
    queryClient.clear();
  }, [queryClient]);

  const value = useMemo(
    () => ({ identity, client, signIn, signOut }),
    [identity, client, signIn, signOut],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthState {
  const auth = useContext(AuthContext);
  if (!auth) throw new Error('useAuth outside AuthProvider');
  return auth;
}
