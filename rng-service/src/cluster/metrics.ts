/**
 * @module cluster/metrics
 * What sharing a store costs, in Prometheus counters on the instance's
 * registry: request ids committed first by another instance (the loser's
 * job answers with that record, or a 409), and the jobs of the same batch
 * built again because of it.
 */

import { Counter, type Registry } from 'prom-client';

export interface ClusterMetrics {
  requestIdRaces: Counter;
  requeuedJobs: Counter;
}

export function clusterMetrics(registry: Registry): ClusterMetrics {
  return {
    requestIdRaces: new Counter({
      name: 'rngseal_request_id_races_total',
      help: 'Jobs whose request id another instance committed first; answered from its record (or 409)',
      registers: [registry],
    }),
    requeuedJobs: new Counter({
      name: 'rngseal_requeued_jobs_total',
      help: 'Jobs built again because another job of their batch lost a request-id race',
      registers: [registry],
    }),
  };
}
