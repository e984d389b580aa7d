/**
 * A small documentation corpus with judged queries, for measuring search relevance (not speed).
 * Deterministic: the same documents and chunks every run. Common words ("service", "user",
 * "request", "data", …) run through a shared pool of filler sentences, so each of them is in
 * most chunks, as in real documentation; the judged queries include such common-word queries,
 * whose answer is the page that is about that word, not merely one that mentions it.
 */
export interface RelevanceDocument {
  readonly id: string;
  readonly title: string;
  readonly content: string;
}

export interface JudgedQuery {
  readonly query: string;
  /** The documents a reader wants for this query, the best one first. */
  readonly relevant: readonly string[];
  /** Every lexeme of the query is in most chunks. */
  readonly common: boolean;
}

interface Topic {
  readonly id: string;
  readonly title: string;
  /** Sentences only this page says: they carry the topic's own words. */
  readonly sentences: readonly string[];
}

// Each sentence carries two or three of the common words: together they put each common word
// in nearly every 512-token chunk.
const FILLER = [
  'Every service reads its settings when it starts, so a change takes effect at the next start.',
  'The user who makes a request must belong to the project that owns the data.',
  'A request that times out is retried once by the client with the same data.',
  'Each project has a default team, and every user of the team can see its services.',
  'Settings changed in the console apply to every service of the project.',
  'The data of a deleted project is kept for thirty days, then removed for good.',
  'A user can belong to several teams and switch between their projects.',
  'When a request fails, the response names the setting or value that was wrong.',
  'The service answers each request with an identifier that support can look up.',
  'The default value of a setting is shown next to it, and the current value below.',
  'Large data sets are sent in pages, and each request asks for the next page.',
  'The team owner can change the settings of every project the team owns.',
  'The time of each request is recorded, together with the user who made it.',
  'A new version of a service starts before the old one stops, so no request is lost.',
  'The console shows the data of the last thirty days by default.',
  'An account can hold several projects, each with its own users and data.',
  'Every change to the settings is recorded with the user and the time.',
  'A service that runs out of memory is restarted, and its requests are sent elsewhere.',
  'The example below shows a request with the minimal settings a service needs.',
  'A user without access to a project gets an error for every request to it.',
  'The value sent in a request is checked before the service stores any data.',
  'Projects are listed by name, and each entry shows its services and their status.',
  'The client library sets sensible defaults, which a user can override per request.',
  'Data is encrypted at rest, and every request to the service uses TLS.',
  'A change that breaks a service can be undone from the project page.',
  'Each version of the settings is kept, so a user can compare two of them.',
  'The status page lists every service and the time of its last incident.',
  'Usage data is summed per project and per team every hour.',
];

const TOPICS: readonly Topic[] = [
  {
    id: 'users',
    title: 'Managing users',
    sentences: [
      'An administrator invites a user by email, and the user accepts from the invitation link.',
      'Removing a user revokes the user sessions and the user API keys at once.',
      'The users page lists every user with the user role and the date the user last signed in.',
      'A user who leaves the organization keeps no access; the user data stays with the projects.',
      'Suspending a user blocks sign-in but keeps the user memberships for later.',
      'Each user has a profile with a display name, an avatar and the user email address.',
    ],
  },
  {
    id: 'service-settings',
    title: 'Service settings',
    sentences: [
      'Service settings control how a service scales, where it runs and which secrets it reads.',
      'Open the service, then the settings tab, to change the service settings.',
      'Settings of a service are versioned: the service keeps each version of its settings.',
      'A service restarts after its settings change; the service settings page shows when.',
      'Service settings can be exported as a file and applied to another service.',
    ],
  },
  {
    id: 'request-tracing',
    title: 'Tracing a request',
    sentences: [
      'Every request carries a trace header, and each hop of the request adds a span.',
      'The request timeline shows how long the request spent in each service.',
      'Search requests by their trace identifier to follow one request end to end.',
      'A slow request is flagged when the request takes longer than its budget.',
      'Sampling keeps one request in a hundred, and every failed request.',
    ],
  },
  {
    id: 'data-export',
    title: 'Exporting data',
    sentences: [
      'Export data as CSV or JSON; large data exports are delivered as a download link.',
      'The data export includes every record of the project, with its history.',
      'Scheduled exports copy the data to a bucket every night.',
      'Exported data keeps the original timestamps, so the data can be imported again.',
      'An export of personal data can be requested by the user it concerns.',
    ],
  },
  {
    id: 'teams-projects',
    title: 'Teams and projects',
    sentences: [
      'A team owns projects; moving a project to another team moves its members access too.',
      'Create a project from the team page, and choose which team members may deploy it.',
      'The project list of a team shows each project with its owner and its last deploy.',
      'Archiving a project hides it from the team but keeps its history.',
      'A team can have at most two hundred projects; ask support for more.',
    ],
  },
  {
    id: 'versions',
    title: 'Versions and releases',
    sentences: [
      'Each release gets a version number, and the previous version stays available.',
      'Pin a version to stop automatic upgrades; unpin it to follow the latest version.',
      'The version history lists every release with its notes and its author.',
      'A version that fails its checks is never promoted to a release.',
      'Compare two versions to see which files changed between the releases.',
    ],
  },
  {
    id: 'webhooks',
    title: 'Webhooks',
    sentences: [
      'A webhook sends an HTTP POST to your endpoint when an event happens.',
      'Each webhook delivery is signed: verify the signature with your webhook secret.',
      'The signature header holds an HMAC of the payload; reject a delivery whose signature differs.',
      'Failed webhook deliveries are retried with exponential backoff for a day.',
      'Rotate the webhook secret from the webhook page; both secrets verify for an hour.',
    ],
  },
  {
    id: 'api-keys',
    title: 'API keys',
    sentences: [
      'An API key authenticates scripts; create one from the keys page.',
      'Rotate an API key regularly: the rotated key keeps working for a grace period.',
      'Revoke an API key at once if it leaks; every call with a revoked key is refused.',
      'The key prefix is shown in the list so that you can tell keys apart.',
      'Scope an API key to one project to limit what a leaked key exposes.',
    ],
  },
  {
    id: 'deployments',
    title: 'Deployments and rollbacks',
    sentences: [
      'A deployment ships a build to an environment; each deployment is recorded.',
      'Roll back a deployment from its page: the rollback redeploys the previous build.',
      'Deployments can be gated on checks, and a failed check stops the rollout.',
      'Canary deployments send a small share of traffic to the new build first.',
      'The rollback button stays enabled for every past deployment.',
    ],
  },
  {
    id: 'kubernetes',
    title: 'Running on Kubernetes',
    sentences: [
      'The Helm chart installs the agent into a Kubernetes cluster.',
      'Kubernetes namespaces map to environments; the chart creates them.',
      'Upgrade the Helm release to move the cluster agent to a new version.',
      'Pods report their health to the agent, which reports to the console.',
      'Kubernetes secrets are synced from the vault by the operator.',
    ],
  },
  {
    id: 'caching',
    title: 'Caching',
    sentences: [
      'Responses are cached at the edge for the time their cache headers allow.',
      'Cache invalidation purges one path, a prefix, or every cached response.',
      'A cache hit is served without reaching the origin; a miss fills the cache.',
      'Stale responses can be served while the cache revalidates in the background.',
      'The cache key includes the path, the query string and the chosen headers.',
    ],
  },
  {
    id: 'billing',
    title: 'Billing and invoices',
    sentences: [
      'Invoices are issued on the first day of the month for the month before.',
      'Billing uses the card on file; add a second card as a fallback.',
      'Download an invoice as PDF from the billing page, or have it emailed.',
      'Billing contacts receive every invoice and every payment reminder.',
      'Tax identifiers printed on invoices are set on the billing page.',
    ],
  },
  {
    id: 'rate-limits',
    title: 'Rate limits',
    sentences: [
      'The API enforces a rate limit per key: a thousand calls a minute by default.',
      'Responses carry the remaining quota in rate limit headers.',
      'A call over the rate limit gets status 429 with a Retry-After header.',
      'Burst limits allow short peaks above the sustained rate.',
      'Ask support to raise a rate limit for a batch migration.',
    ],
  },
  {
    id: 'sso',
    title: 'Single sign-on',
    sentences: [
      'Single sign-on connects the organization to your identity provider over SAML.',
      'Upload the SAML metadata of the identity provider to enable SSO.',
      'With SSO enforced, members sign in through the identity provider only.',
      'SCIM provisioning creates and removes members as the directory changes.',
      'Test the SSO connection with one member before enforcing it.',
    ],
  },
  {
    id: 'backups',
    title: 'Backups and restore',
    sentences: [
      'Databases are backed up every night, and backups are kept for thirty days.',
      'Restore a backup into a new database to inspect it without risk.',
      'Point-in-time restore replays the write-ahead log up to the chosen second.',
      'Backups are encrypted and copied to a second region.',
      'A restore of a large backup can take an hour; the page shows its progress.',
    ],
  },
  {
    id: 'audit-logs',
    title: 'Audit log',
    sentences: [
      'The audit log records who did what and when, for every administrative action.',
      'Filter the audit log by actor, action or date.',
      'Audit log entries are kept for a year and can be streamed to your SIEM.',
      'An audit log entry cannot be edited or deleted, even by an owner.',
    ],
  },
  {
    id: 'alerts',
    title: 'Alerts and notifications',
    sentences: [
      'An alert fires when a metric crosses its threshold for the chosen duration.',
      'Route alerts to email, Slack or a pager; each route has its own schedule.',
      'Silence an alert during maintenance so that nobody is paged.',
      'Alert history shows each firing with its duration and who acknowledged it.',
    ],
  },
  {
    id: 'domains',
    title: 'Custom domains',
    sentences: [
      'Add a custom domain, then create the CNAME record that the page shows.',
      'Certificates for custom domains are issued and renewed automatically.',
      'Apex domains need an ALIAS or ANAME record at the DNS provider.',
      'A domain is verified once its DNS record resolves to the edge.',
    ],
  },
  {
    id: 'environment-variables',
    title: 'Environment variables',
    sentences: [
      'Environment variables are injected into the build and into the runtime.',
      'Mark a variable as secret to hide its value in logs and in the console.',
      'Variables can differ per environment: production, preview and development.',
      'Changing a variable triggers a redeploy so that the new value is used.',
    ],
  },
  {
    id: 'logs',
    title: 'Logs',
    sentences: [
      'Runtime logs stream live in the console and are searchable for a week.',
      'Drain logs to your own collector over syslog or HTTPS.',
      'Structured logs are parsed, so their fields can be filtered.',
      'Log retention can be extended to ninety days on the business plan.',
    ],
  },
];

/** Judged queries: rare-word and phrase queries, and common-word queries (see `common`). */
export const JUDGED_QUERIES: readonly JudgedQuery[] = [
  { query: 'webhook signature', relevant: ['webhooks'], common: false },
  { query: 'rotate api key', relevant: ['api-keys'], common: false },
  { query: 'rollback deployment', relevant: ['deployments'], common: false },
  { query: 'cache invalidation', relevant: ['caching'], common: false },
  { query: 'invoice', relevant: ['billing'], common: false },
  { query: 'rate limit', relevant: ['rate-limits'], common: false },
  { query: 'saml identity provider', relevant: ['sso'], common: false },
  { query: 'restore backup', relevant: ['backups'], common: false },
  { query: '"audit log"', relevant: ['audit-logs'], common: false },
  { query: 'kubernetes or helm', relevant: ['kubernetes', 'deployments'], common: false },
  { query: 'custom domain certificate', relevant: ['domains'], common: false },
  { query: 'environment variables secret', relevant: ['environment-variables'], common: false },
  { query: 'alert threshold', relevant: ['alerts'], common: false },
  { query: 'user', relevant: ['users', 'teams-projects'], common: true },
  { query: 'users', relevant: ['users', 'teams-projects'], common: true },
  { query: 'service settings', relevant: ['service-settings'], common: true },
  { query: 'request', relevant: ['request-tracing'], common: true },
  { query: 'data', relevant: ['data-export'], common: true },
  { query: 'export data', relevant: ['data-export'], common: false },
  { query: 'project', relevant: ['teams-projects'], common: true },
  { query: 'settings', relevant: ['service-settings'], common: true },
  { query: 'team', relevant: ['teams-projects'], common: true },
  { query: 'team project', relevant: ['teams-projects'], common: true },
  { query: 'version', relevant: ['versions'], common: true },
  { query: 'service request time', relevant: ['request-tracing'], common: true },
];

/** Pages that are about no topic in particular: changelogs, FAQs, overviews. */
const GENERAL_PAGES = 100;

/**
 * 20 topic pages (each about one topic: its sentences are a third of its text) and 100 general
 * pages (filler, with one sentence of two or three random topics each), 600–1,800 words each.
 */
export function relevanceCorpus(): RelevanceDocument[] {
  const random = mulberry32(20261204);
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  const paragraphs = (words: number, topical: () => string | null): string => {
    const out: string[] = [];
    let count = 0;
    while (count < words) {
      const sentence = topical() ?? pick(FILLER);
      out.push(sentence);
      count += sentence.split(' ').length;
    }
    return out.join(' ');
  };
  const documents: RelevanceDocument[] = TOPICS.map((topic) => ({
    id: topic.id,
    title: topic.title,
    content: paragraphs(600 + Math.floor(random() * 1200), () => (random() < 1 / 3 ? pick(topic.sentences) : null)),
  }));
  for (let i = 0; i < GENERAL_PAGES; i++) {
    const mentions = Array.from({ length: 2 + Math.floor(random() * 2) }, () => pick(pick(TOPICS).sentences));
    documents.push({
      id: `general-${i}`,
      title: `${pick(['Changelog', 'FAQ', 'Overview', 'Notes', 'Guide'])} ${i}`,
      content: paragraphs(600 + Math.floor(random() * 1200), () => (mentions.length > 0 && random() < 0.05 ? mentions.pop()! : null)),
    });
  }
  return documents;
}

export interface RelevanceScores {
  /** Share of queries whose first result is their best document. */
  readonly precisionAt1: number;
  /** Mean over queries of the share of the top 3 (or of the relevant, when fewer) that is relevant. */
  readonly precisionAt3: number;
  /** Mean reciprocal rank of the first relevant document (0 when none is in the results). */
  readonly mrr: number;
}

/** Scores ranked document ids against the judgements, query by query and overall. */
export function scoreRelevance(
  rankings: ReadonlyMap<string, readonly string[]>,
  queries: readonly JudgedQuery[] = JUDGED_QUERIES,
): RelevanceScores & { readonly perQuery: Array<{ query: string; top3: readonly string[]; reciprocalRank: number }> } {
  const perQuery = queries.map(({ query, relevant }) => {
    const ranked = rankings.get(query) ?? [];
    const first = ranked.findIndex((id) => relevant.includes(id));
    const top3 = ranked.slice(0, 3);
    return {
      query,
      top3,
      hitAt1: ranked[0] === relevant[0] ? 1 : 0,
      precisionAt3: top3.filter((id) => relevant.includes(id)).length / Math.min(3, relevant.length),
      reciprocalRank: first < 0 ? 0 : 1 / (first + 1),
    };
  });
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
  return {
    precisionAt1: mean(perQuery.map((q) => q.hitAt1)),
    precisionAt3: mean(perQuery.map((q) => q.precisionAt3)),
    mrr: mean(perQuery.map((q) => q.reciprocalRank)),
    perQuery: perQuery.map(({ query, top3, reciprocalRank }) => ({ query, top3, reciprocalRank })),
  };
}

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
