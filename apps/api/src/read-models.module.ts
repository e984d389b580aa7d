import { Global, Module, type Provider } from '@nestjs/common';
import {
  ApiKeyQueries,
  ChunkEmbeddingQueries,
  DocumentQueries,
  DocumentTotalsQueries,
  GitHubInstallationQueries,
  IngestionQueueQueries,
  IntegrationQueries,
  JobQueries,
  JobStatsQueries,
  OrganizationQueries,
  RepositoryQueries,
  StoreQueries,
  WorkspaceQueries,
  WorkspaceSourceQueries,
  sqlOnDataSource,
  type Sql,
} from '#read-models';
import { READ_DATABASE } from '#runtime';
import { namedStatements } from '#adapters';
import type { DataSource } from 'typeorm';

const QUERIES = [
  ApiKeyQueries,
  ChunkEmbeddingQueries,
  DocumentQueries,
  DocumentTotalsQueries,
  GitHubInstallationQueries,
  IngestionQueueQueries,
  IntegrationQueries,
  JobQueries,
  JobStatsQueries,
  OrganizationQueries,
  RepositoryQueries,
  StoreQueries,
  WorkspaceQueries,
  WorkspaceSourceQueries,
] as const;

/**
 * The read models' query classes, each injectable by its own class, all on the API's read pool.
 * They live in #read-models, which knows nothing of Nest or the runtime's tokens; this is the one
 * place that gives them their `Sql`, and names their statements `<class>.<method>` in metrics and
 * slow-query lines. An area module never lists one in its own providers.
 */
@Global()
@Module({
  providers: QUERIES.map((Queries): Provider => ({
    provide: Queries,
    useFactory: (database: DataSource) => namedStatements(new Queries(sqlOnDataSource(database) satisfies Sql), Queries.name),
    // Read-only: chunk vectors are written by the projector's embedding reactor, so every query
    // class may read a replica (DATABASE_READ_URL).
    inject: [READ_DATABASE],
  })),
  exports: [...QUERIES],
})
export class ReadModelsModule {}
