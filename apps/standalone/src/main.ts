import 'reflect-metadata';
import { resolve } from 'node:path';
import { createLogger } from '#adapters';
import { createApiApp } from '../../api/src/create-api-app.js';
import { listen, PortInUseError } from '../../api/src/listen.js';
import { ProjectorDaemon } from '../../projector/src/projector.daemon.js';
import { startReactors } from '../../projector/src/reactors/reactors.js';
import { EmbeddedDatabaseError, loadConfigOrExit } from '#runtime';
import { setUpDemo, startDemoGitHubFromArgs } from './demo.js';
import { startEmbeddedDatabase } from '#runtime';
import { BANNER_ORGANIZATION_SLUG, BANNER_USER_ID, bannerSession } from './local-organization.js';
import { ConsoleSignIn } from '../../api/src/operator/console-sign-in.js';
import { openRuntime } from '#runtime';
import { onShutdown } from '#runtime';

/**
 * All-in-one: the api and the projector in one process, on an embedded PostgreSQL under
 * DATA_DIR (./.data) unless DATABASE_URL points at a server.
 */
const demo = await startDemoGitHubFromArgs(process.argv, process.env);
const config = loadConfigOrExit();
const logger = createLogger('console');

// What has started, stopped in reverse order (the api first, the embedded PostgreSQL last) on
// Ctrl-C, SIGTERM or a failed start. Registered before anything starts: the embedded server runs in
// its own process group, so a Ctrl-C during startup reaches only this process, which must stop it.
const started: Array<() => Promise<unknown>> = [];
if (demo) started.push(() => demo.close());
let stopping: Promise<void> | undefined;
const stopStarted = () =>
  (stopping ??= (async () => {
    for (const close of [...started].reverse()) {
      try {
        await close();
      } catch (error) {
        logger.error({ err: error }, 'error during shutdown');
      }
    }
  })());
onShutdown(logger, stopStarted, async () => logger.info('stopped'));

async function start() {
  const embedded = config.databaseUrl
    ? null
    : await startEmbeddedDatabase({
        dataDir: config.dataDir,
        port: config.embeddedDatabasePort,
        persistent: true,
        log: (message) => logger.info(message),
      });
  if (embedded) started.push(() => embedded.stop());
  const runtime = await openRuntime(config, {
    databaseUrl: config.databaseUrl ?? embedded!.url,
    readDatabaseUrl: config.databaseReadUrl,
    logger,
  });
  started.push(() => runtime.close());
  const projector = new ProjectorDaemon({
    store: runtime.store,
    pool: runtime.projectorPool,
    connectionString: runtime.databaseUrl,
    logger,
  });
  await projector.start();
  started.push(() => projector.stop());
  const reactors = await startReactors(runtime);
  started.push(() => reactors.stop());
  const app = await createApiApp(runtime);
  started.push(() => app.close());
  await listen(app, config.port, config.host);
  return { embedded, runtime, app };
}

let running: Awaited<ReturnType<typeof start>>;
try {
  running = await start();
} catch (error) {
  await stopStarted();
  // A taken port or a data dir in use is the user's to fix: one line, nothing left running.
  if (!(error instanceof PortInUseError || error instanceof EmbeddedDatabaseError)) throw error;
  process.stderr.write(`Console cannot start: ${error.message}\n`);
  process.exit(1);
}
const { embedded, runtime, app } = running;
const url = `http://${config.host}:${config.port}`;
// The CLI finds this instance's database through DATA_DIR: say so when it is not the default one.
const cliPrefix = embedded && config.dataDir !== resolve('.data') ? `DATA_DIR=${config.dataDir} ` : '';
const { token, organization } = await bannerSession(runtime);
// The operator console's one-time sign-in link (local identity only: with Clerk, the console signs in through Clerk).
const consoleLink = runtime.config.clerk
  ? `${url}/console/`
  : `${url}/console/#code=${app.get(ConsoleSignIn).issue({
      userId: BANNER_USER_ID,
      organizationSlug: BANNER_ORGANIZATION_SLUG,
      organizationId: organization?.organizationId,
      role: 'admin',
    })}`;
process.stdout.write(`
Console is running at ${url} (${embedded ? `embedded PostgreSQL on port ${embedded.port}, data in ${config.dataDir}` : 'external PostgreSQL'})

Try it (a 12-hour local token for user_local, admin of organization "acme"):
  export TOKEN=${token}
  curl -s -X POST ${url}/v1/orgs/acme/workspaces -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d '{"name":"docs"}'
  curl -s ${url}/v1/orgs/acme/workspaces -H "Authorization: Bearer $TOKEN"

Operator console (one-time sign-in link for ${BANNER_USER_ID}): ${consoleLink}

More tokens: ${cliPrefix}npm run console -- token --user <id> --org <slug> --role admin|member
`);
if (demo) {
  const setup = await setUpDemo(url, token, demo);
  process.stdout.write(`
Demo mode: a fake GitHub at ${demo.url} serves the repository demo/docs (GitHub App ${demo.appId}, installation ${demo.installationId}).
It is connected to "acme" and being indexed now (job ${setup.jobId}):
  curl -s ${url}/v1/orgs/acme/workspaces/${encodeURIComponent(setup.workspaceName)}/jobs/${setup.jobId} -H "Authorization: Bearer $TOKEN"
  curl -s ${url}/v1/orgs/acme/repositories/${setup.repositoryId} -H "Authorization: Bearer $TOKEN"
Search it with the API key created for you (shown once):
  export KEY=${setup.apiKey}
  curl -s -X POST ${url}/v1/search -H "Authorization: Bearer $KEY" -H 'X-Workspace-ID: ${setup.workspaceId}' -H 'Content-Type: application/json' -d '{"query":"blob sha","topK":3,"filters":{"labels":["store:docs"]}}'
`);
}
