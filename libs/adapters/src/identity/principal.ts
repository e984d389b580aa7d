export type OrgRole = 'admin' | 'member';

/** Who is calling, as established by a verified token. Never built from unverified input. */
export interface Principal {
  readonly userId: string;
  readonly organizationId: string | null;
  readonly organizationSlug: string | null;
  readonly role: OrgRole | null;
}

/** Clerk session claims: `org_id`/`org_slug`/`org_role`, or the compact `o` claim of newer tokens. */
export function principalFromClaims(claims: Record<string, unknown>): Principal {
  const compact = (claims.o ?? null) as { id?: string; slg?: string; rol?: string } | null;
  const organizationId = (claims.org_id as string | undefined) ?? compact?.id ?? null;
  const organizationSlug = (claims.org_slug as string | undefined) ?? compact?.slg ?? null;
  const rawRole = (claims.org_role as string | undefined) ?? compact?.rol ?? null;
  const role = rawRole === null ? null : rawRole.replace(/^org:/, '') === 'admin' ? 'admin' : 'member';
  if (typeof claims.sub !== 'string' || claims.sub.length === 0) throw new Error('token has no subject');
  return { userId: claims.sub, organizationId, organizationSlug, role };
}
