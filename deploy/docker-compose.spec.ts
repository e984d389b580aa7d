import { describe, expect, it } from '@jest/globals';
import Ajv from 'ajv';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { interpolate, loadComposeFile, readComposeFile, variablesUsed } from './compose-file.js';

const ROOT = join(import.meta.dirname, '..');
const COMPOSE_PATH = join(ROOT, 'docker-compose.yml');
const composeText = readFileSync(COMPOSE_PATH, 'utf8');
const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
/** What `docker compose up` needs from the environment or .env: the one required variable. */
const ENV = { ENCRYPTION_KEY: 'a'.repeat(64) };

/** The settings Console reads: .env.example lists exactly those (libs/runtime/src/env-example.spec.ts keeps it so). */
const SETTINGS = new Set(
  readFileSync(join(ROOT, '.env.example'), 'utf8')
    .split('\n')
    .flatMap((line) => /^([A-Z][A-Z0-9_]+)=/.exec(line)?.[1] ?? []),
);
/** Variables compose itself reads (interpolation), not Console settings; the file's header documents them. */
const COMPOSE_ONLY = ['POSTGRES_PASSWORD', 'CONSOLE_TAG'];
/**
 * Settings these containers fix whatever .env says, and why: .env.example's values are a host's
 * (HOST=127.0.0.1 is unreachable from another container, an empty DATA_DIR points into the
 * read-only /app), and the ports are what the port mappings and health checks target.
 */
const FIXED_IN_CONTAINERS = ['HOST', 'PORT', 'PROJECTOR_PORT', 'DATA_DIR', 'MIGRATE_ON_START'];
const CONSOLE_SERVICES = ['migrate', 'api', 'projector'];

function validator() {
  const schema = JSON.parse(readFileSync(join(ROOT, 'deploy/compose-spec.schema.json'), 'utf8'));
  // The schema names draft-07 by its https URI without '#'; ajv 6 knows draft-07 by its historical id.
  const draft07 = createRequire(import.meta.url)('ajv/lib/refs/json-schema-draft-07.json');
  const ajv = new Ajv({ allErrors: true });
  ajv.addMetaSchema({ ...draft07, $id: schema.$schema });
  expect(ajv.validateSchema(schema)).toBe(true);
  return ajv.compile(schema);
}
const validate = validator();
const compose = loadComposeFile(COMPOSE_PATH, ENV) as Record<string, any>;
const clone = (): Record<string, any> => JSON.parse(JSON.stringify(compose));
const errorsOf = (document: unknown) => (validate(document) ? [] : (validate.errors ?? []).map((e) => `${e.dataPath} ${e.message}`));

describe('docker-compose.yml against the Compose Specification schema', () => {
  it('is valid once interpolated, as `docker compose config` validates it', () => {
    expect(errorsOf(compose)).toEqual([]);
  });

  it('catches a misspelled key, a wrong condition and a wrong type (the check can fail)', () => {
    const misspelled = clone();
    misspelled.services.projector.helthcheck = misspelled.services.projector.healthcheck;
    const condition = clone();
    condition.services.api.depends_on.migrate.condition = 'service_finished';
    const type = clone();
    type.services.migrate.restart = ['no'];
    for (const broken of [misspelled, condition, type]) expect(errorsOf(broken)).not.toEqual([]);
  });

  it('refuses to start without ENCRYPTION_KEY', () => {
    expect(() => loadComposeFile(COMPOSE_PATH, {})).toThrow(
      /required variable ENCRYPTION_KEY is missing a value: set ENCRYPTION_KEY in \.env/,
    );
  });
});

describe('the stack compose runs', () => {
  const services = compose.services as Record<string, Record<string, any>>;
  const environment = (name: string) => services[name]!.environment as Record<string, string | number>;

  it('is PostgreSQL for events and read models by default; EventStoreDB only behind the esdb profile', () => {
    const byDefault = Object.keys(services).filter((name) => !services[name]!.profiles);
    expect(byDefault.sort()).toEqual(['api', 'migrate', 'postgres', 'projector', 'redis']);
    expect(services.eventstore!.profiles).toEqual(['esdb']);
    for (const name of CONSOLE_SERVICES) {
      expect(environment(name).EVENT_STORE_URL).toBeUndefined();
      expect(environment(name).DATABASE_URL).toBe('postgres://console:console@postgres:5432/console');
    }
    // Waiting for the eventstore is conditional: without the profile the service does not exist.
    expect(services.migrate!.depends_on.eventstore).toEqual({ condition: 'service_healthy', required: false });
  });

  it('migrates once, before the api and the projector start, which then run no DDL', () => {
    expect(services.migrate!.command.slice(-2)).toEqual(['dist/apps/projector/src/cli/main.js', 'migrate']);
    expect(services.migrate!.restart).toBe('no');
    for (const name of ['api', 'projector']) {
      expect(services[name]!.depends_on.migrate).toEqual({ condition: 'service_completed_successfully' });
      expect(environment(name).MIGRATE_ON_START).toBe('false');
    }
  });

  it('health-checks the api and the projector on the ports they listen on, and exposes the projector metrics', () => {
    const probe = (name: string) => (services[name]!.healthcheck.test as string[]).join(' ');
    expect(probe('api')).toContain(`:${environment('api').PORT}/health/ready`);
    expect(probe('projector')).toContain(`:${environment('projector').PROJECTOR_PORT}/health/ready`);
    expect(services.projector!.expose).toEqual([String(environment('projector').PROJECTOR_PORT)]);
    expect(services.api!.ports).toEqual([`3000-3003:${environment('api').PORT}`]);
  });

  it('gives the api and the projector the image data volume as DATA_DIR', () => {
    const dataDir = /^ENV [\s\S]*?DATA_DIR=(\S+)/m.exec(dockerfile)?.[1];
    expect(dataDir).toBe('/var/lib/console');
    expect(dockerfile).toContain(`VOLUME ${dataDir}`);
    for (const name of ['api', 'projector']) {
      expect(environment(name).DATA_DIR).toBe(dataDir);
      expect(services[name]!.volumes).toEqual([`console-data:${dataDir}`]);
    }
  });
});

describe('settings in compose', () => {
  // Not interpolated: which values are the user's (`${NAME…}`) and which the file fixes.
  const raw = readComposeFile(COMPOSE_PATH).services as Record<string, any>;
  const rawEnvironment = (service: string) => raw[service].environment as Record<string, string | number>;

  it('passes .env, with every documented setting, to migrate, the api and the projector', () => {
    for (const name of CONSOLE_SERVICES) expect(raw[name].env_file).toEqual([{ path: '.env', required: false }]);
  });

  it('lets .env decide every setting, except the few the containers fix (listed with a reason)', () => {
    for (const service of CONSOLE_SERVICES) {
      for (const [name, value] of Object.entries(rawEnvironment(service))) {
        if (FIXED_IN_CONTAINERS.includes(name)) continue;
        expect({ service, name, value: String(value) }).toEqual({
          service,
          name,
          value: expect.stringMatching(new RegExp(`^\\$\\{${name}[:?-]`)),
        });
      }
    }
  });

  it('sets no variable in a Console service that the code does not read', () => {
    for (const service of CONSOLE_SERVICES) {
      expect(Object.keys(rawEnvironment(service)).filter((name) => !SETTINGS.has(name))).toEqual([]);
    }
    expect(FIXED_IN_CONTAINERS.filter((name) => !SETTINGS.has(name))).toEqual([]);
  });

  it('interpolates only settings and the documented compose variables', () => {
    const used = [...variablesUsed(readComposeFile(COMPOSE_PATH))];
    expect(used.filter((name) => !SETTINGS.has(name) && !COMPOSE_ONLY.includes(name))).toEqual([]);
    const header = composeText
      .split('\n')
      .filter((line) => line.startsWith('#'))
      .join('\n');
    for (const name of COMPOSE_ONLY) expect(header).toContain(name);
  });
});

describe('compose interpolation (the subset docker-compose.yml uses)', () => {
  it('nests defaults, treats empty as unset with a colon, escapes $$, and fails on a required variable', () => {
    expect(interpolate('${A:-x${B:-y}z}', {})).toBe('xyz');
    expect(interpolate('${A:-x${B}z}', { B: 'b' })).toBe('xbz');
    expect(interpolate('${A:-d}|${A-d}', { A: '' })).toBe('d|');
    expect(interpolate('$$HOME $A', { A: '1' })).toBe('$HOME 1');
    expect(() => interpolate('${A:?say why}', { A: '' })).toThrow('required variable A is missing a value: say why');
    expect(() => interpolate('${A', {})).toThrow(/unclosed/);
  });
});
