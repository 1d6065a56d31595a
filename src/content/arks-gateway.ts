import { arksGatewayRequestsTotal } from '../catalog/arks-gateway.ts';
import { defineSlos } from '../model/spec.ts';
import { scopeSlos, type ContentScope } from './scope.ts';
import { contentFactory, contentScopeSchema } from './options.ts';

const SERVER_ERROR = { re: '5..' } as const;

/** Availability of the Arks gateway: requests that do not end in a 5xx. */
export const arksGatewaySlos = contentFactory('arksGatewaySlos', contentScopeSchema, (config: ContentScope) => {
  return defineSlos(scopeSlos({
    service: 'arks-gateway',
    labels: { team: 'inference-platform', service: 'arks-gateway' },
    options: { zeroTrafficGuard: true },
    slos: [
      {
        name: 'availability',
        objective: 99.9,
        description: 'Requests through the Arks gateway that do not end in a 5xx.',
        sli: {
          kind: 'ratio',
          errors: { metric: arksGatewayRequestsTotal, matchers: { status: SERVER_ERROR } },
          total: { metric: arksGatewayRequestsTotal },
        },
        alerting: { name: 'ArksGatewayAvailabilityBudgetBurn', annotations: { summary: 'The Arks gateway answers with 5xx faster than the SLO allows.' } },
      },
    ],
  }, config));
});
