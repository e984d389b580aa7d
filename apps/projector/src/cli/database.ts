import { embeddedClusterExists, runningEmbeddedDatabase, startEmbeddedDatabase, type ConsoleConfig, type EmbeddedDatabase } from '#runtime';

export interface CliDatabase {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * The database a CLI command works on: DATABASE_URL; else the embedded server of the Console running
 * with DATA_DIR (at the port it recorded there, checked to be that data dir's); else that data dir's
 * cluster, started for this command only. A DATA_DIR with no cluster is an error, so a mistyped one
 * never gets a new, empty database.
 */
export async function openCliDatabase(config: ConsoleConfig, notice: (message: string) => void): Promise<CliDatabase> {
  if (config.databaseUrl) return { url: config.databaseUrl, close: async () => undefined };
  const running = await runningEmbeddedDatabase(config.dataDir);
  if (running) return { url: running.url, close: async () => undefined };
  if (!embeddedClusterExists(config.dataDir)) {
    throw new Error(
      `no Console is running with DATA_DIR=${config.dataDir}, and it holds no database: start Console with \`npm start\`, or set DATA_DIR to the directory its banner prints (or DATABASE_URL to a server)`,
    );
  }
  notice(`no Console is running with DATA_DIR=${config.dataDir}: its embedded PostgreSQL is started for this command`);
  // The server is in its own process group: Ctrl-C reaches only this process, which must stop it
  // (while it starts, exiting is enough: an exit hook stops it).
  let embedded: EmbeddedDatabase | undefined;
  const interrupted = () => void (embedded?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  const stopListening = () => {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
  };
  try {
    embedded = await startEmbeddedDatabase({ dataDir: config.dataDir, port: config.embeddedDatabasePort, persistent: true });
  } catch (error) {
    stopListening();
    throw error;
  }
  const started = embedded;
  return {
    url: started.url,
    async close() {
      stopListening();
      await started.stop();
    },
  };
}
