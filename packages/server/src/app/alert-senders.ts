import { labelsToObject } from '@vigil/core';
import type { Alertmanager } from '../alerting/index.ts';
import type { AlertSender, NotifierAlert } from '../rules/index.ts';

/** Hands the rule manager's alerts to the in-process router, as Prometheus would post them to Alertmanager's API v2. */
export function inProcessSender(am: Alertmanager): AlertSender {
  return {
    send(alerts: readonly NotifierAlert[]) {
      am.put(
        alerts.map((a) => ({
          labels: labelsToObject(a.labels),
          annotations: labelsToObject(a.annotations),
          startsAt: a.startsAt ? new Date(a.startsAt).toISOString() : undefined,
          endsAt: a.endsAt ? new Date(a.endsAt).toISOString() : undefined,
          generatorURL: a.generatorURL,
        })),
      );
    },
  };
}

/** Sends to every sender in turn; one failing does not stop the others. */
export function fanoutSender(senders: readonly AlertSender[]): AlertSender {
  return {
    send(alerts) {
      for (const s of senders) {
        try {
          s.send(alerts);
        } catch {
          // Each sender counts and logs its own failures.
        }
      }
    },
  };
}
