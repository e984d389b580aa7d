import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { SignJWT, exportJWK, exportSPKI, generateKeyPair, type CryptoKey, type JWK } from 'jose';

/** An organization as Clerk's Backend API returns it (`OrganizationJSON` in `@clerk/backend`). */
export interface FakeOrganizationJson {
  object: 'organization';
  id: string;
  name: string;
  slug: string;
  image_url: string;
  has_image: boolean;
  max_allowed_memberships: number;
  admin_delete_enabled: boolean;
  public_metadata: Record<string, unknown>;
  created_by?: string;
  created_at: number;
  updated_at: number;
}

/** `OrganizationMembershipJSON`: the membership with its organization and the user's public data. */
export interface FakeMembershipJson {
  object: 'organization_membership';
  id: string;
  role: string;
  permissions: string[];
  public_metadata: Record<string, unknown>;
  created_at: number;
  updated_at: number;
  organization: FakeOrganizationJson;
  public_user_data: {
    identifier: string;
    first_name: string | null;
    last_name: string | null;
    image_url: string;
    has_image: boolean;
    user_id: string;
  };
}

/** `UserJSON`: the fields `User.fromJSON` of `@clerk/backend` reads that Console uses, and their neighbours. */
export interface FakeUserJson {
  object: 'user';
  id: string;
  username: string | null;
  first_name: string | null;
  last_name: string | null;
  image_url: string;
  has_image: boolean;
  primary_email_address_id: string | null;
  email_addresses: Array<{ object: 'email_address'; id: string; email_address: string; verification: null; linked_to: [] }>;
  public_metadata: Record<string, unknown>;
  created_at: number;
  updated_at: number;
}

export interface FakeClerk {
  readonly url: string;
  readonly secretKey: string;
  readonly publicKeyPem: string;
  /** Requests received, by `METHOD /path`. */
  readonly requests: Map<string, number>;
  /** Every request received, in total. */
  totalRequests(): number;
  sessionToken(claims: Record<string, unknown> & { sub: string }, options?: { expiresIn?: string }): Promise<string>;
  /** An organization that exists in Clerk (created in its dashboard, say); no request is counted. */
  seedOrganization(input: { slug: string; name?: string; createdBy?: string; imageUrl?: string }): FakeOrganizationJson;
  /** Adds or updates a membership directly in the fake's state. */
  setMembership(organizationId: string, userId: string, role: 'org:admin' | 'org:member' | string): FakeMembershipJson;
  removeMembership(organizationId: string, userId: string): FakeMembershipJson | undefined;
  organization(idOrSlug: string): FakeOrganizationJson | undefined;
  membership(organizationId: string, userId: string): FakeMembershipJson | undefined;
  /** A user Clerk knows (`GET /v1/users/{id}`), added or replaced; no request is counted. */
  seedUser(input: {
    id: string;
    firstName?: string | null;
    lastName?: string | null;
    username?: string | null;
    email?: string | null;
  }): FakeUserJson;
  /** Delay before every answer (to make concurrent requests overlap). */
  delayMs: number;
  /** When set, every Backend API request (not the JWKS) answers this status. */
  failWith: number | null;
  close(): Promise<void>;
}

/**
 * A loopback stand-in for Clerk's Backend API, for the real `@clerk/backend` client: it serves the
 * JWKS of a key pair it signs session tokens with, the organization and membership endpoints
 * Console uses (with Clerk's paths, snake_case JSON and error shapes), and counts every request.
 */
export async function startFakeClerk(): Promise<FakeClerk> {
  const kid = 'ins_test_key';
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  const requests = new Map<string, number>();
  const secretKey = 'sk_test_fake';
  const organizations = new Map<string, FakeOrganizationJson>();
  const users = new Map<string, FakeUserJson>();
  /** organizationId → userId → membership (its `organization` is refreshed when answered). */
  const memberships = new Map<string, Map<string, FakeMembershipJson>>();

  const findOrganization = (idOrSlug: string) =>
    organizations.get(idOrSlug) ?? [...organizations.values()].find((o) => o.slug === idOrSlug);
  const newId = (prefix: string) => `${prefix}_${randomBytes(12).toString('hex')}`;

  function createOrganization(input: { slug: string; name?: string; createdBy?: string; imageUrl?: string }): FakeOrganizationJson {
    const now = Date.now();
    const id = newId('org');
    const organization: FakeOrganizationJson = {
      object: 'organization',
      id,
      name: input.name ?? input.slug,
      slug: input.slug,
      // As Clerk: a generated image URL even without a logo (`has_image: false`).
      image_url: input.imageUrl ?? `https://img.clerk.test/${id}`,
      has_image: input.imageUrl !== undefined,
      max_allowed_memberships: 0,
      admin_delete_enabled: true,
      public_metadata: {},
      ...(input.createdBy ? { created_by: input.createdBy } : {}),
      created_at: now,
      updated_at: now,
    };
    organizations.set(organization.id, organization);
    memberships.set(organization.id, new Map());
    // Clerk makes the creator an admin.
    if (input.createdBy) setMembership(organization.id, input.createdBy, 'org:admin');
    return organization;
  }

  function setMembership(organizationId: string, userId: string, role: string): FakeMembershipJson {
    const organization = organizations.get(organizationId);
    if (!organization) throw new Error(`fake Clerk: no organization ${organizationId}`);
    const members = memberships.get(organizationId)!;
    const now = Date.now();
    const existing = members.get(userId);
    const membership: FakeMembershipJson = existing
      ? { ...existing, role, updated_at: now }
      : {
          object: 'organization_membership',
          id: newId('orgmem'),
          role,
          permissions: [],
          public_metadata: {},
          created_at: now,
          updated_at: now,
          organization,
          public_user_data: {
            identifier: `${userId}@example.test`,
            first_name: null,
            last_name: null,
            image_url: '',
            has_image: false,
            user_id: userId,
          },
        };
    members.set(userId, membership);
    return withOrganization(membership);
  }

  const withOrganization = (membership: FakeMembershipJson): FakeMembershipJson => ({
    ...membership,
    organization: organizations.get(membership.organization.id)!,
  });
  const page = (data: unknown[]) => ({ data, total_count: data.length });

  async function route(method: string, path: string, query: URLSearchParams, body: Record<string, unknown>): Promise<[number, unknown]> {
    if (method === 'GET' && path === '/v1/jwks') return [200, { keys: [jwk] }];
    let match: RegExpExecArray | null;
    if (method === 'POST' && path === '/v1/organizations') {
      const slug = String(body.slug ?? '');
      if (findOrganization(slug)) {
        return [
          422,
          {
            errors: [
              {
                code: 'form_identifier_exists',
                message: 'That slug is taken. Please try another.',
                long_message: 'That slug is taken. Please try another.',
                meta: { param_name: 'slug' },
              },
            ],
          },
        ];
      }
      return [200, createOrganization({ slug, name: String(body.name), createdBy: body.created_by as string | undefined })];
    }
    if ((match = /^\/v1\/organizations\/([^/]+)$/.exec(path))) {
      const organization = findOrganization(decodeURIComponent(match[1]!));
      if (!organization) return notFound();
      if (method === 'GET') return [200, organization];
      if (method === 'PATCH') {
        if (typeof body.name === 'string') organization.name = body.name;
        if (typeof body.slug === 'string') organization.slug = body.slug;
        organization.updated_at = Date.now();
        return [200, organization];
      }
    }
    if ((match = /^\/v1\/organizations\/([^/]+)\/memberships$/.exec(path))) {
      const organization = organizations.get(decodeURIComponent(match[1]!));
      if (!organization) return notFound();
      const members = memberships.get(organization.id)!;
      if (method === 'GET') {
        const users = query.getAll('user_id');
        return [
          200,
          page([...members.values()].filter((m) => users.length === 0 || users.includes(m.public_user_data.user_id)).map(withOrganization)),
        ];
      }
      if (method === 'POST') {
        const userId = String(body.user_id);
        if (members.has(userId))
          return [
            400,
            {
              errors: [
                {
                  code: 'already_a_member_in_organization',
                  message: 'already a member',
                  long_message: `User ${userId} is already a member of the organization.`,
                },
              ],
            },
          ];
        return [200, setMembership(organization.id, userId, String(body.role))];
      }
    }
    if ((match = /^\/v1\/organizations\/([^/]+)\/memberships\/([^/]+)$/.exec(path)) && method === 'PATCH') {
      const [organizationId, userId] = [decodeURIComponent(match[1]!), decodeURIComponent(match[2]!)];
      if (!memberships.get(organizationId)?.has(userId)) return notFound();
      return [200, setMembership(organizationId, userId, String(body.role))];
    }
    if ((match = /^\/v1\/users\/([^/]+)$/.exec(path)) && method === 'GET') {
      const user = users.get(decodeURIComponent(match[1]!));
      return user ? [200, user] : notFound();
    }
    if ((match = /^\/v1\/users\/([^/]+)\/organization_memberships$/.exec(path)) && method === 'GET') {
      const userId = decodeURIComponent(match[1]!);
      const limit = Number(query.get('limit') ?? 10);
      const mine = [...memberships.values()].flatMap((members) => (members.has(userId) ? [withOrganization(members.get(userId)!)] : []));
      return [200, { data: mine.slice(0, limit), total_count: mine.length }];
    }
    return notFound();
  }

  const fake = {
    delayMs: 0,
    failWith: null as number | null,
  };

  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const key = `${request.method} ${url.pathname}`;
    requests.set(key, (requests.get(key) ?? 0) + 1);
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      void (async () => {
        if (fake.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, fake.delayMs));
        if (request.headers.authorization !== `Bearer ${secretKey}`)
          return json(response, 401, { errors: [{ code: 'authentication_invalid', message: 'Invalid secret key' }] });
        if (fake.failWith !== null && url.pathname !== '/v1/jwks')
          return json(response, fake.failWith, { errors: [{ code: 'internal_clerk_error', message: 'Something went wrong' }] });
        const text = Buffer.concat(chunks).toString('utf8');
        const [status, body] = await route(request.method ?? 'GET', url.pathname, url.searchParams, text ? JSON.parse(text) : {});
        json(response, status, body);
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return Object.assign(fake, {
    url: `http://127.0.0.1:${port}`,
    secretKey,
    publicKeyPem: await exportSPKI(publicKey),
    requests,
    totalRequests: () => [...requests.values()].reduce((a, b) => a + b, 0),
    sessionToken: (claims: Record<string, unknown> & { sub: string }, options?: { expiresIn?: string }) =>
      sign(privateKey, kid, claims, options?.expiresIn ?? '1h'),
    seedOrganization: (input: { slug: string; name?: string; createdBy?: string; imageUrl?: string }) => createOrganization(input),
    seedUser(input: { id: string; firstName?: string | null; lastName?: string | null; username?: string | null; email?: string | null }) {
      const now = Date.now();
      const emailId = `idn_${randomBytes(8).toString('hex')}`;
      const user: FakeUserJson = {
        object: 'user',
        id: input.id,
        username: input.username ?? null,
        first_name: input.firstName ?? null,
        last_name: input.lastName ?? null,
        image_url: `https://img.clerk.test/${input.id}`,
        has_image: true,
        primary_email_address_id: input.email ? emailId : null,
        email_addresses: input.email
          ? [{ object: 'email_address', id: emailId, email_address: input.email, verification: null, linked_to: [] }]
          : [],
        public_metadata: {},
        created_at: users.get(input.id)?.created_at ?? now,
        updated_at: now,
      };
      users.set(input.id, user);
      return user;
    },
    setMembership,
    removeMembership(organizationId: string, userId: string) {
      const members = memberships.get(organizationId);
      const removed = members?.get(userId);
      members?.delete(userId);
      return removed && withOrganization(removed);
    },
    organization: (idOrSlug: string) => findOrganization(idOrSlug),
    membership: (organizationId: string, userId: string) => {
      const found = memberships.get(organizationId)?.get(userId);
      return found && withOrganization(found);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}

function notFound(): [number, unknown] {
  return [404, { errors: [{ code: 'resource_not_found', message: 'not found', long_message: 'Resource not found' }] }];
}

function sign(privateKey: CryptoKey, kid: string, claims: Record<string, unknown>, expiresIn: string): Promise<string> {
  return new SignJWT({ ...claims })
    .setProtectedHeader({ alg: 'RS256', kid })
    .setIssuer('https://clerk.fake.test')
    .setIssuedAt()
    .setNotBefore('0s')
    .setExpirationTime(expiresIn)
    .sign(privateKey);
}

/** Clerk's SDK parses bodies only with exactly this content type (see STACK-NOTES). */
function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}
