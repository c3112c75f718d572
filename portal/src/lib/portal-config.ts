/** What the gateway tells the portal about this deployment (`/portal-config.json`). */
import { useQuery } from '@tanstack/react-query';
import type { OidcSettings } from '../features/auth/oidc';

export interface PortalConfig {
  oidc: OidcSettings | null;
}

export function usePortalConfig() {
  return useQuery({
    queryKey: ['portal-config'],
    staleTime: Infinity,
    queryFn: async (): Promise<PortalConfig> => {
      const response = await fetch('/portal-config.json');
      if (!response.ok) return { oidc: null };
      return (await response.json()) as PortalConfig;
    },
  });
}
