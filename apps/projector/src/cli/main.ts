import 'reflect-metadata';
import { Command, InvalidArgumentError, Option } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import { createLogger, localOrganizationId } from '#adapters';
import { projectionNamed } from '#read-models';
import { loadConfigOrExit } from '#runtime';
import { openRuntime, type Runtime } from '#runtime';
import { projectionStatus } from '#runtime';
import { retryDeadLetter, skipDeadLetter } from '#runtime';
import { randomUUID } from 'node:crypto';
import { userInfo } from 'node:os';
import { describeMigration, migrate } from './migrate.js';
import { ReplayInterruptedError, replayProjection } from './replay.js';
import { SeedJobsInterruptedError, seedJobs, seedJobsCommandLine } from './seed-jobs.js';
import { mintLocalToken, type TokenOptions } from './token.js';
import { openCliDatabase } from './database.js';
import { completionScript, consoleCompletionHints, defaultShell, shellArgument, type Shell } from './completion.js';
import { explainCliError } from './errors.js';
import { eventJson, exitQuietlyOnClosedPipe, formatEvent, streamEvents, tailEvents } from './events.js';
import { interruptSignal, parseIntervalSeconds, watchStatus } from './status-watch.js';

const config = loadConfigOrExit();
const logger = createLogger('console-cli', process.env.LOG_LEVEL ?? 'warn');

/** Opens the runtime on DATABASE_URL, on the embedded server of the Console running with DATA_DIR, or on its stopped cluster. */
async function withRuntime<T>(work: (runtime: Runtime) => Promise<T>): Promise<T> {
  const database = await openCliDatabase(config, (notice) => process.stderr.write(`${notice}\n`));
  try {
    const runtime = await openRuntime(config, { databaseUrl: database.url, logger });
    try {
      return await work(runtime);
    } finally {
      await runtime.close();
    }
  } finally {
    await database.close();
  }
}

const positiveInt = (name: string) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${name} must be a positive integer`);
  return n;
};

const program = new Command('console')
  .description('Console operations: projections, tokens, seed data')
  // Inherited by every command added below: a mistyped command or option gets a suggestion and the usage.
  .showSuggestionAfterError()
  .showHelpAfterError('(add --help for usage)');

program
  .command('migrate')
  .description(
    'create or update the event store schema, the read-model tables and the projections (once, before the api and projector start)',
  )
  .action(async () => {
    const database = await openCliDatabase(config, (notice) => process.stderr.write(`${notice}\n`));
    try {
      const started = Date.now();
      const report = await migrate(config, database.url, logger);
      process.stdout.write(describeMigration(report, (Date.now() - started) / 1000));
    } finally {
      await database.close();
    }
  });

program
  .command('token')
  .description('print a bearer token from the local identity provider (used when Clerk is not configured)')
  .requiredOption('--user <id>', 'user id (the token subject)')
  .requiredOption('--org <slug>', 'active organization slug')
  .addOption(new Option('--role <role>', 'organization role').choices(['admin', 'member']).makeOptionMandatory())
  .option('--org-id <id>', 'organization id (default: the one holding the slug; must match it when given)')
  .option('--expires <duration>', 'lifetime, e.g. 12h, 30m', '12h')
  .option('--create', 'create the organization, with --user as its admin, when it does not exist')
  .action(async (options: TokenOptions) => {
    await withRuntime(async (runtime) => {
      const minted = await mintLocalToken(runtime, options);
      if (minted.organization.created)
        process.stderr.write(
          `created organization "${minted.organization.slug}" (${minted.organization.organizationId}) with ${options.user} as its admin\n`,
        );
      for (const warning of minted.warnings) process.stderr.write(`warning: ${warning}\n`);
      process.stdout.write(`${minted.token}\n`);
    });
  });

program
  .command('seed-jobs')
  .description('generate a reproducible job history through the command path')
  .requiredOption('--org <slug>', 'organization slug')
  .requiredOption('--workspace <name>', 'workspace name (created when missing)')
  .requiredOption('--jobs <n>', 'number of jobs', positiveInt('--jobs'))
  .option('--days <d>', 'spread over the last d days', positiveInt('--days'), 30)
  .option('--seed <int>', 'random seed', (v) => Number.parseInt(v, 10), 1)
  .option('--now <iso>', 'the end of the history (default: now); fix it for identical reruns')
  .option('--concurrency <n>', 'commands in flight', positiveInt('--concurrency'), 8)
  .action(
    async (options: { org: string; workspace: string; jobs: number; days: number; seed: number; now?: string; concurrency: number }) => {
      if (options.now && Number.isNaN(Date.parse(options.now))) throw new InvalidArgumentError('--now must be an ISO date');
      await withRuntime(async (runtime) => {
        const bar = new SingleBar({ format: 'seed-jobs [{bar}] {value}/{total} jobs | {eta_formatted} left' }, Presets.shades_classic);
        bar.start(options.jobs, 0);
        const started = Date.now();
        const now = options.now ? new Date(options.now) : new Date();
        const result = await seedJobs(runtime.store, {
          organizationId: localOrganizationId(options.org),
          workspaceName: options.workspace,
          jobs: options.jobs,
          days: options.days,
          seed: options.seed,
          now,
          concurrency: options.concurrency,
          onProgress: (done) => bar.update(done),
          onOutage: (reason) => process.stderr.write(`\nwarning: database connection lost (${reason}); retrying\n`),
        }).catch((error: unknown) => {
          bar.stop();
          if (!(error instanceof SeedJobsInterruptedError)) throw error;
          throw new Error(`${error.message}; every job written stands. Resume with: ${seedJobsCommandLine({ ...options, now })}`);
        });
        bar.stop();
        const seconds = (Date.now() - started) / 1000;
        process.stdout.write(
          `seeded ${result.jobs} jobs into workspace ${result.workspaceId} in ${seconds.toFixed(1)} s; last position ${result.position}\n`,
        );
      });
    },
  );

program
  .command('replay <projection>')
  .description('rebuild a projection blue/green: the current tables keep serving until the switch')
  .option('--batch-size <n>', 'events per transaction', positiveInt('--batch-size'), 5000)
  .action(async (name: string, options: { batchSize: number }) => {
    const definition = projectionNamed(name);
    await withRuntime(async (runtime) => {
      const backlog = runtime.store.backlog
        ? (await runtime.store.backlog('start', definition.eventTypes, Number.MAX_SAFE_INTEGER)).events
        : 0;
      const bar = new SingleBar({ format: `replay ${name} [{bar}] {value}/{total} events | {eta_formatted} left` }, Presets.shades_classic);
      bar.start(backlog, 0);
      const result = await replayProjection({
        store: runtime.store,
        pool: runtime.projectorPool,
        definition,
        logger,
        batchSize: options.batchSize,
        onProgress: (n) => bar.update(Math.min(n, backlog)),
        onOutage: (reason) => process.stderr.write(`\nwarning: database connection lost (${reason}); retrying\n`),
      }).catch((error: unknown) => {
        bar.stop();
        if (!(error instanceof ReplayInterruptedError)) throw error;
        throw new Error(
          `${error.message}; it keeps what it applied. Resume with: npm run console -- replay ${name} --batch-size ${options.batchSize}`,
        );
      });
      bar.update(result.events);
      bar.stop();
      const rate = result.events / Math.max(result.seconds, 0.001);
      process.stdout.write(
        `replayed ${name}: generation ${result.from} → ${result.to}${result.resumed ? ' (resumed)' : ''}, ${result.events} events in ${result.seconds.toFixed(2)} s (${Math.round(rate)} events/s); ` +
          `${result.droppedOld ? `generation ${result.from} dropped` : `generation ${result.from} still held by a runner; it is left in place`}\n`,
      );
    });
  });

program
  .command('status')
  .description('position, lag and dead letters of every projection')
  .option('--json', 'machine-readable output (with --watch: one JSON line a sample)')
  .option('--watch', 'a live view, redrawn every interval: lag, events/s and dead letters per projection (Ctrl-C quits)')
  .option('--interval <s>', 'seconds between samples of --watch', parseIntervalSeconds, 2)
  .action(async (options: { json?: boolean; watch?: boolean; interval: number }) => {
    await withRuntime(async (runtime) => {
      if (options.watch) {
        const interrupt = interruptSignal();
        try {
          return await watchStatus({
            read: () => projectionStatus(runtime.store, runtime.projectorPool),
            intervalSeconds: options.interval,
            out: process.stdout,
            signal: interrupt.signal,
            json: options.json,
          });
        } finally {
          interrupt.dispose();
        }
      }
      const status = await projectionStatus(runtime.store, runtime.projectorPool);
      if (options.json) return void process.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
      console.table(
        status.map((s) => ({
          projection: s.name,
          generation: s.generation,
          position: s.position,
          processed: s.eventsProcessed,
          'lag (events)': s.lagEvents ?? 'n/a',
          'lag (s)': s.lagSeconds?.toFixed(1) ?? 'n/a',
          'dead letters': s.deadLetters,
        })),
      );
    });
  });

const deadLetters = program
  .command('dead-letters')
  .description('list events that projections could not apply (retry or skip one with `dead-letters retry|skip <id>`)')
  .option('--projection <name>', 'only this projection')
  .option('--limit <n>', 'at most n', positiveInt('--limit'), 50)
  .action(async (options: { projection?: string; limit: number }) => {
    // An unknown name is an error naming the known ones, not an empty list.
    if (options.projection) projectionNamed(options.projection);
    await withRuntime(async (runtime) => {
      const { rows } = await runtime.projectorPool.query(
        `SELECT d.id, d.name, d.generation, d.event_type, d.stream_id, d.position, d.error, d.created_at FROM projection_dead_letters d
           JOIN projection_generations g ON g.name = d.name AND g.active_generation = d.generation
          WHERE $1::text IS NULL OR d.name = $1 ORDER BY d.id DESC LIMIT $2`,
        [options.projection ?? null, options.limit],
      );
      if (rows.length === 0) process.stdout.write('no dead letters\n');
      else console.table(rows);
    });
  });

/** Who a dead letter command from the command line is recorded as. */
const cliOperator = () => `cli:${userInfo().username}`;

deadLetters
  .command('retry <id>')
  .description("apply a dead letter's event to its projection again now; audited as DeadLetterRetried")
  .action(async (id: string) => {
    await withRuntime(async (runtime) => {
      const by = cliOperator();
      const result = await retryDeadLetter(
        { store: runtime.store, pool: runtime.projectorPool },
        { deadLetterId: id, by, context: { commandId: randomUUID(), userId: by } },
      );
      if (result.outcome === 'failed') {
        process.stderr.write(`dead letter ${id} failed again: ${result.error}; it stays listed (position ${result.position})\n`);
        process.exitCode = 1;
      } else process.stdout.write(`dead letter ${id} applied and resolved (position ${result.position})\n`);
    });
  });

deadLetters
  .command('skip <id>')
  .description('give up on a dead letter: its event stays unapplied and it leaves the list; audited as DeadLetterSkipped')
  .action(async (id: string) => {
    await withRuntime(async (runtime) => {
      const by = cliOperator();
      const { position } = await skipDeadLetter(
        { store: runtime.store, pool: runtime.projectorPool },
        { deadLetterId: id, by, context: { commandId: randomUUID(), userId: by } },
      );
      process.stdout.write(`dead letter ${id} skipped (position ${position})\n`);
    });
  });

const events = program.command('events').description('read the event log');

events
  .command('tail')
  .description('the newest events of the log, oldest first; --follow keeps printing new ones (Ctrl-C quits)')
  .option('--limit <n>', 'how many of the newest events', positiveInt('--limit'), 20)
  .option('--type <type>', 'only events of this type (repeat for several)', (type: string, types: string[]) => [...types, type], [])
  .option('--follow', 'then print every event appended, as it commits')
  .option('--json', 'one JSON object a line (NDJSON), with full data and metadata')
  .action(async (options: { limit: number; type: string[]; follow?: boolean; json?: boolean }) => {
    await withRuntime(async (runtime) => {
      const interrupt = options.follow ? interruptSignal() : undefined;
      try {
        const print = options.json ? eventJson : formatEvent;
        const count = await tailEvents(runtime.store, {
          limit: options.limit,
          types: options.type,
          follow: Boolean(options.follow),
          signal: interrupt?.signal,
          onEvent: (event) => process.stdout.write(`${print(event)}\n`),
        });
        if (count === 0 && !options.follow)
          process.stderr.write(options.type.length > 0 ? `no events of type ${options.type.join(', ')}\n` : 'the event log is empty\n');
      } finally {
        interrupt?.dispose();
      }
    });
  });

events
  .command('stream <streamId>')
  .description("every event of one stream, in revision order (e.g. job-<jobId>; `events tail` shows the newest events' streams)")
  .option('--json', 'one JSON object a line (NDJSON), with full data and metadata')
  .action(async (streamId: string, options: { json?: boolean }) => {
    await withRuntime(async (runtime) => {
      const print = options.json ? eventJson : formatEvent;
      for (const event of await streamEvents(runtime.store, streamId)) process.stdout.write(`${print(event)}\n`);
    });
  });

program
  .command('completion')
  .description('print a shell completion script (install: see the README, "Shell completion")')
  .addArgument(shellArgument())
  .option('--name <command>', 'the command to complete: the shell function or alias that runs this CLI', 'console')
  .action((shell: Shell | undefined, options: { name: string }) => {
    process.stdout.write(completionScript(program, shell ?? defaultShell(), { name: options.name, hints: consoleCompletionHints() }));
  });

exitQuietlyOnClosedPipe();
try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.stderr.write(`error: ${explainCliError(error, config)}\n`);
  process.exitCode = 1;
}
