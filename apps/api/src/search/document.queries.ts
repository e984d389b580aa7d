import { Inject, Injectable } from '@nestjs/common';
import { DocumentQueries } from '#read-models';
import { RUNTIME } from '../runtime.tokens.js';
import type { Runtime } from '../../../console/src/runtime.js';

/** The `documents` read model's queries on the API's connection pool, as a Nest provider. */
@Injectable()
export class ApiDocumentQueries extends DocumentQueries {
  constructor(@Inject(RUNTIME) runtime: Runtime) {
    super((text, params) => runtime.dataSource.query(text, params as unknown[]));
  }
}
