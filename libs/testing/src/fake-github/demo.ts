import { generateKeyPairSync } from 'node:crypto';
import { installationPayload, repositoryPayload, startFakeGitHub, type FakeGitHub } from './fake-github.js';

export const DEMO_APP_ID = '4242';
export const DEMO_INSTALLATION_ID = '4200';
export const DEMO_REPOSITORY = { owner: 'demo', repo: 'docs', id: 4_200_001 } as const;
/** A user token whose installations (`GET /user/installations`) include the demo installation. */
export const DEMO_USER_TOKEN = 'gho_demo_user';

export interface DemoGitHub {
  readonly url: string;
  readonly appId: string;
  /** PKCS#8 PEM of the app key the fake verifies installation-token JWTs with. */
  readonly privateKey: string;
  readonly installationId: string;
  readonly userToken: string;
  readonly github: FakeGitHub;
  close(): Promise<void>;
}

const sections: Record<string, readonly string[]> = {
  'getting-started': [
    'Introduction',
    'Installation',
    'Quick start',
    'Core concepts',
    'Project layout',
    'Configuration',
    'First deployment',
    'Troubleshooting',
  ],
  guides: [
    'Writing documents',
    'Organising stores',
    'Connecting GitHub',
    'Incremental sync',
    'Search tuning',
    'Access control',
    'API keys',
    'Webhooks',
  ],
  reference: [
    'HTTP API',
    'Query syntax',
    'Frontmatter fields',
    'Chunking rules',
    'Rate limits',
    'Error codes',
    'CLI',
    'Environment variables',
  ],
  operations: ['Monitoring', 'Backups', 'Scaling the projector', 'Upgrading', 'Security model', 'FAQ'],
};

/** `lightfast.yml` ingesting `docs/**` markdown into store `docs`, 30 documents with frontmatter, and files it must skip. */
export function demoDocsFiles(): Array<[string, string]> {
  const files: Array<[string, string]> = [
    ['lightfast.yml', 'version: 1\nstore: docs\ninclude:\n  - docs/**/*.md\n  - docs/**/*.mdx\n'],
    ['README.md', '# Demo docs\n\nThe documentation the demo indexes lives under `docs/`.\n'],
    ['package.json', '{ "name": "demo-docs", "private": true }\n'],
    ['docs/assets/logo.svg', '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>\n'],
  ];
  let index = 0;
  for (const [section, titles] of Object.entries(sections)) {
    for (const title of titles) {
      const slug = title.toLowerCase().replace(/[^a-z0-9]+/g, '-');
      const extension = index++ % 4 === 3 ? 'mdx' : 'md';
      files.push([`docs/${section}/${slug}.${extension}`, page(section, title)]);
    }
  }
  return files;
}

/** The demo installation, its repository `demo/docs` and the user who sees it; returns the head commit SHA. */
export function seedDemoRepository(github: FakeGitHub, installationId: string = DEMO_INSTALLATION_ID): string {
  const { owner, repo, id } = DEMO_REPOSITORY;
  github.setInstallationRepositories(installationId, [{ ...repositoryPayload(id, owner, repo), private: false, visibility: 'public' }]);
  github.setInstallations(DEMO_USER_TOKEN, [installationPayload(Number(installationId), owner)]);
  return github.setRepository(owner, repo, { id, defaultBranch: 'main', files: demoDocsFiles() });
}

/** A fake GitHub on `port` (0: any free port) with a fresh app key and the demo repository seeded. */
export async function startDemoGitHub(options: { port?: number; host?: string } = {}): Promise<DemoGitHub> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const github = await startFakeGitHub({ port: options.port ?? 0, host: options.host });
  github.setApp({ appId: DEMO_APP_ID, publicKey });
  seedDemoRepository(github);
  return {
    url: github.url,
    appId: DEMO_APP_ID,
    privateKey,
    installationId: DEMO_INSTALLATION_ID,
    userToken: DEMO_USER_TOKEN,
    github,
    close: () => github.close(),
  };
}

function page(section: string, title: string): string {
  const area = section.replace(/-/g, ' ');
  return [
    '---',
    `title: ${title}`,
    `description: ${title} in the ${area} section of the demo documentation.`,
    '---',
    '',
    `# ${title}`,
    '',
    `This page covers ${title.toLowerCase()}. It belongs to ${area}, and every paragraph below is plain text the`,
    'ingestion splits into chunks by heading.',
    '',
    '## Overview',
    '',
    `${title} matters because documents are indexed per store: a change to a file re-indexes that file`,
    'alone, keyed by its blob SHA, and a removed file leaves the store on the next sync.',
    '',
    '## Details',
    '',
    `- Where: \`docs/${section}/\``,
    `- Related: see the other ${area} pages.`,
    '',
  ].join('\n');
}
