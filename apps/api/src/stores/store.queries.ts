import { Inject, Injectable } from '@nestjs/common';
import { StoreQueries } from '#read-models';
import { RUNTIME } from '../runtime.tokens.js';
import type { Runtime } from '../../../console/src/runtime.js';

/** The `stores` read model's queries on the API's connection pool, as a Nest provider. */
@Injectable()
export class ApiStoreQueries extends StoreQueries {
  constructor(@Inject(RUNTIME) runtime: Runtime) {
    super((text, params) => runtime.dataSource.query(text, params as unknown[]));
  }
}
