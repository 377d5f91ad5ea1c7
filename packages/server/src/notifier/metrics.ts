import { Counter, Gauge, type Registry } from 'prom-client';

/** Notifier self-metrics (`vigil_notifications_*`, Prometheus's `prometheus_notifications_*`). */
export class NotifierMetrics {
  readonly sent: Counter<'alertmanager'>;
  readonly errors: Counter<'alertmanager'>;
  readonly dropped: Counter;
  readonly queueLength: Gauge;
  readonly alertmanagers: Gauge;

  constructor(registry: Registry) {
    const registers = [registry];
    this.sent = new Counter({ name: 'vigil_notifications_sent_total', help: 'Alerts sent, by Alertmanager.', labelNames: ['alertmanager'], registers });
    this.errors = new Counter({ name: 'vigil_notifications_errors_total', help: 'Alerts that failed to send, by Alertmanager.', labelNames: ['alertmanager'], registers });
    this.dropped = new Counter({ name: 'vigil_notifications_dropped_total', help: 'Alerts dropped because the queue was full or sending failed.', registers });
    this.queueLength = new Gauge({ name: 'vigil_notifications_queue_length', help: 'Alerts waiting to be sent.', registers });
    this.alertmanagers = new Gauge({ name: 'vigil_notifications_alertmanagers_discovered', help: 'Alertmanagers alerts are sent to.', registers });
  }
}
