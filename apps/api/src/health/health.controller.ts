import { READ_DATABASE, EVENT_STORE, PROJECTOR_POOL, LOGGER, CONFIG, type ConsoleConfig } from '#runtime';
import type { DataSource } from 'typeorm';
import type { EventStore } from '#event-store';
import type pg from 'pg';
import type { Logger } from '#adapters';
import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { metricsRegistry } from '#adapters';
import { Public } from '../auth/auth.guard.js';
import { projectionStatus } from '#runtime';
import { requireMetricsToken } from './metrics-token.js';

/** Readiness fails when the database or the event store is down, or a projection lags too far. */
const MAX_READY_LAG_SECONDS = Number(process.env.READY_MAX_LAG_SECONDS ?? 60);

/** The same body with 200 (`ready`) and 503 (`not_ready`). */
export interface Readiness {
  readonly status: 'ready' | 'not_ready';
  /** `database`, `eventStore` (`{status, head}`) and `projections` (each with its lag), or `down` / `unknown`. */
  readonly checks: Record<string, unknown>;
}

@ApiTags('Operations')
@Controller()
@Public()
export class HealthController {
  constructor(
    @Inject(READ_DATABASE) private readonly database: DataSource,
    @Inject(EVENT_STORE) private readonly eventStore: EventStore,
    @Inject(PROJECTOR_POOL) private readonly projectorPool: pg.Pool,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(CONFIG) private readonly config: ConsoleConfig,
  ) {}

  @ApiOperation({ summary: 'Liveness probe' })
  @Get('health/live')
  live() {
    return { status: 'ok' };
  }

  @ApiOperation({ summary: 'Readiness probe: database, event store and projection lag' })
  @ApiResponse({ status: 200, description: 'Ready.' })
  @ApiResponse({
    status: 503,
    description: 'Not ready',
    content: { 'application/json': { schema: { $ref: '#/components/schemas/Readiness' } } },
  })
  @Get('health/ready')
  async ready(@Res({ passthrough: true }) response: Response): Promise<Readiness> {
    const checks: Record<string, unknown> = {};
    let ready = true;
    try {
      await this.database.query('SELECT 1');
      checks.database = 'ok';
    } catch (error) {
      ready = false;
      checks.database = this.down('database', error);
    }
    try {
      checks.eventStore = { status: 'ok', head: await this.eventStore.headPosition() };
    } catch (error) {
      ready = false;
      checks.eventStore = this.down('eventStore', error);
    }
    if (checks.database === 'ok') {
      try {
        const projections = await projectionStatus(this.eventStore, this.projectorPool);
        checks.projections = projections;
        if (projections.some((p) => (p.lagSeconds ?? 0) > MAX_READY_LAG_SECONDS)) ready = false;
      } catch (error) {
        ready = false;
        this.logger.warn({ err: error }, 'readiness: projection status unknown');
        checks.projections = 'unknown';
      }
    }
    response.status(ready ? 200 : 503);
    return { status: ready ? 'ready' : 'not_ready', checks };
  }

  @ApiOperation({ summary: 'Prometheus metrics' })
  @ApiProduces('text/plain')
  @ApiResponse({
    status: 200,
    description: 'The Prometheus text exposition format.',
    content: {
      'text/plain': {
        schema: { type: 'string' },
        example: '# TYPE api_key_lookups_total counter\napi_key_lookups_total{via="read_model"} 42\n',
      },
    },
  })
  @ApiResponse({ status: 401, description: 'With `METRICS_TOKEN` set: no `Authorization: Bearer <METRICS_TOKEN>`.' })
  @Get('metrics')
  async metrics(@Req() request: Request, @Res() response: Response) {
    requireMetricsToken(this.config.metricsToken, request.headers.authorization);
    await projectionStatus(this.eventStore, this.projectorPool).catch(() => undefined); // refresh lag gauges
    response.setHeader('Content-Type', metricsRegistry.contentType);
    response.send(await metricsRegistry.metrics());
  }

  /**
   * Which dependency is down, for the probe; why, for the log. A driver's message can carry host
   * names, ports, user names and SQL, which a public endpoint must not hand out.
   */
  private down(dependency: string, error: unknown): 'down' {
    this.logger.warn({ err: error, dependency }, 'readiness: dependency down');
    return 'down';
  }
}
