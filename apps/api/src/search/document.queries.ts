import { Inject, Injectable } from '@nestjs/common';
import { DocumentQueries } from '#read-models';
import { READ_DATABASE } from '#runtime';
import type { DataSource } from 'typeorm';

/** The `documents` read model's queries on the API's connection pool, as a Nest provider. */
@Injectable()
export class ApiDocumentQueries extends DocumentQueries {
  constructor(@Inject(READ_DATABASE) database: DataSource) {
    super((text, params) => database.query(text, params as unknown[]));
  }
}
