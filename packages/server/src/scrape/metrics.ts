import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Scrape self-metrics, registered on the registry passed in. */
export class ScrapeMetrics {
  readonly scrapes: Counter<'job'>;
  readonly failures: Counter<'job'>;
  readonly duration: Histogram<'job'>;
  readonly samples: Counter<'job'>;
  readonly rejected: Counter<'reason'>;
  readonly targets: Gauge<'job'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.scrapes = new Counter({ name: 'vigil_scrape_scrapes_total', help: 'Scrapes attempted.', labelNames: ['job'], registers });
    this.failures = new Counter({ name: 'vigil_scrape_failures_total', help: 'Scrapes that failed.', labelNames: ['job'], registers });
    this.duration = new Histogram({
      name: 'vigil_scrape_duration_seconds',
      help: 'Time taken by scrapes, including parsing and appending.',
      labelNames: ['job'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.samples = new Counter({ name: 'vigil_scrape_samples_appended_total', help: 'Samples appended by scrapes.', labelNames: ['job'], registers });
    this.rejected = new Counter({
      name: 'vigil_scrape_samples_rejected_total',
      help: 'Scraped samples the storage refused, by reason.',
      labelNames: ['reason'],
      registers,
    });
    this.targets = new Gauge({ name: 'vigil_scrape_targets', help: 'Active scrape targets.', labelNames: ['job'], registers });
  }
}
