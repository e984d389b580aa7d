import { Inject, Injectable } from '@nestjs/common';
import { StoreQueries } from '#read-models';
import { READ_DATABASE } from '#runtime';
import type { DataSource } from 'typeorm';

/** The `stores` read model's queries on the API's connection pool, as a Nest provider. */
@Injectable()
export class ApiStoreQueries extends StoreQueries {
  constructor(@Inject(READ_DATABASE) database: DataSource) {
    super((text, params) => database.query(text, params as unknown[]));
  }
}
