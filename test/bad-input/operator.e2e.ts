import { describeBadInputRoutes } from '../support/bad-input/bad-input.describe.js';
import { useBadInputFixture } from '../support/bad-input/bad-input.fixture.js';
import { operatorRoutes } from '../support/bad-input/operator.routes.js';

// Bad input on each command route of the area: see across-routes.e2e.ts for what every case must answer.
const fixture = useBadInputFixture();
describeBadInputRoutes(fixture, operatorRoutes(fixture));
