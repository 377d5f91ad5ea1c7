import { Counter, Gauge, type Registry } from 'prom-client';

/**
 * Self-metrics of the alert router, registered on the registry passed in.
 * Names are Alertmanager's with the `vigil_` prefix
 * (`alertmanager_notifications_total` → `vigil_alertmanager_notifications_total`),
 * same labels, so its dashboards port with a prefix change.
 */
export class AlertingMetrics {
  readonly notifications: Counter<'integration'>;
  readonly notificationsFailed: Counter<'integration'>;
  readonly notificationRequests: Counter<'integration'>;
  readonly alertsReceived: Counter<'status'>;
  readonly alertsInvalid: Counter;
  readonly alerts: Gauge<'state'>;
  readonly silences: Gauge<'state'>;
  readonly nflogEntries: Gauge;

  constructor(registry: Registry, collect: () => { alerts: Record<string, number>; silences: Record<string, number>; nflog: number }) {
    const registers = [registry];
    const p = 'vigil_alertmanager_';
    this.notifications = new Counter({ name: `${p}notifications_total`, help: 'The total number of attempted notifications.', labelNames: ['integration'], registers });
    this.notificationsFailed = new Counter({ name: `${p}notifications_failed_total`, help: 'The total number of failed notifications.', labelNames: ['integration'], registers });
    this.notificationRequests = new Counter({ name: `${p}notification_requests_total`, help: 'The total number of attempted notification requests.', labelNames: ['integration'], registers });
    this.alertsReceived = new Counter({ name: `${p}alerts_received_total`, help: 'The total number of received alerts.', labelNames: ['status'], registers });
    this.alertsInvalid = new Counter({ name: `${p}alerts_invalid_total`, help: 'The total number of received alerts that were invalid.', registers });
    let snap: ReturnType<typeof collect> | undefined;
    const get = () => (snap ??= collect());
    this.alerts = new Gauge({
      name: `${p}alerts`, help: 'How many alerts by state.', labelNames: ['state'], registers,
      collect() {
        snap = undefined;
        for (const [k, v] of Object.entries(get().alerts)) this.set({ state: k }, v);
      },
    });
    this.silences = new Gauge({
      name: `${p}silences`, help: 'How many silences by state.', labelNames: ['state'], registers,
      collect() {
        for (const [k, v] of Object.entries(get().silences)) this.set({ state: k }, v);
      },
    });
    this.nflogEntries = new Gauge({
      name: `${p}nflog_entries`, help: 'Entries in the notification log.', registers,
      collect() {
        this.set(get().nflog);
      },
    });
  }
}
