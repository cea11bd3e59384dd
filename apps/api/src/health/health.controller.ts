import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { MongoConnection } from '@invoicing/integration/mongodb';
import { Public } from '../auth/permissions';
import { TokenVerifier } from '../auth/token-verifier';
import { API_CONFIG, DATABASE, TOKEN_VERIFIER } from '../composition/tokens';
import type { ApiConfig } from '../config';
import { HttpProblem, RETRY_AFTER_SECONDS } from '../http/problem';
import { LivenessDto, ReadinessDto } from './health.dto';

type Check = 'up' | 'down';

/** Liveness and readiness for orchestrators and load balancers; no token needed. */
@ApiTags('Health')
@Controller('health')
@Public()
export class HealthController {
  constructor(
    @Inject(DATABASE) private readonly database: MongoConnection,
    @Inject(TOKEN_VERIFIER) private readonly verifier: TokenVerifier,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  @Get('live')
  @ApiOperation({ operationId: 'live', summary: 'Is the process running?', description: 'Answers 200 while the process serves HTTP; checks nothing else.' })
  live(): LivenessDto {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOperation({
    operationId: 'ready',
    summary: 'Can the API serve requests?',
    description: 'Checks the database (a ping) and Keycloak (the realm\'s signing keys). 200 when both answer, 503 otherwise, naming which is down.',
  })
  async ready(): Promise<ReadinessDto> {
    const deadline = this.config.timeouts.readyMs;
    const [database, keycloak] = await Promise.allSettled([
      withDeadline(this.database.ping().then((up) => up || Promise.reject(new Error('no ping'))), deadline),
      withDeadline(this.verifier.ready(), deadline),
    ]);
    const checks = { database: state(database), keycloak: state(keycloak) };
    if (checks.database === 'down' || checks.keycloak === 'down') {
      throw new HttpProblem(503, 'health.not_ready', `Not ready: ${Object.entries(checks).filter(([, value]) => value === 'down').map(([name]) => name).join(' and ')} down.`, { checks }, { 'retry-after': RETRY_AFTER_SECONDS });
    }
    return { status: 'ok', checks };
  }
}

/** A frozen dependency never answers: past the deadline its check counts as down (the call itself runs on). */
function withDeadline<T>(check: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([check, expired]).finally(() => clearTimeout(timer));
}

function state(result: PromiseSettledResult<unknown>): Check {
  return result.status === 'fulfilled' ? 'up' : 'down';
}
