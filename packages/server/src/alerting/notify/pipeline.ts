import type { Logger } from '@vigil/core';
import type { AlertmanagerFileConfig, IntegrationKey, TimeIntervalConfig } from '../config/index.ts';
import type { NotificationLog } from '../nflog/index.ts';
import type { Alert, Clock } from '../types.ts';
import { DedupStage } from './dedup-stage.ts';
import { MuteStage, TimeActiveStage, TimeMuteStage, type Muter } from './mute-stage.ts';
import type { IntegrationDeps, IntegrationFactory } from './notifier.ts';
import { RetryStage, type RetryHooks } from './retry-stage.ts';
import { SetNotifiesStage } from './set-notifies-stage.ts';
import { FanoutStage, MultiStage, RoutingStage, type Stage } from './stage.ts';

/** Everything the pipeline builder needs besides the config. */
export interface PipelineDeps {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly nflog: NotificationLog;
  readonly inhibitor: Muter;
  readonly silences: Muter;
  readonly integrations: ReadonlyMap<string, IntegrationFactory>;
  readonly integrationDeps: IntegrationDeps;
  readonly hooks?: RetryHooks & { muted?(a: Alert, by: 'inhibited' | 'silenced'): void };
  /** Stages run after the silence stage and before routing (acknowledgements). */
  readonly extraStages?: readonly Stage[];
}

/**
 * Builds the notification pipeline, reading like Alertmanager's
 * PipelineBuilder.New: inhibit, time-active, time-mute, silence, then per
 * receiver one concurrent branch per integration of dedup → retry →
 * set-notifies. (No settle or wait stages: there is no cluster.)
 */
export function buildPipeline(cfg: AlertmanagerFileConfig, deps: PipelineDeps): Stage {
  const intervals = new Map<string, TimeIntervalConfig>(cfg.time_intervals.map((t) => [t.name, t]));
  const byReceiver = new Map<string, Stage>();
  for (const r of cfg.receivers) {
    const branches: Stage[] = [];
    for (const [key, confs] of Object.entries(r.integrations) as Array<[IntegrationKey, NonNullable<(typeof r.integrations)[IntegrationKey]>]>) {
      const factory = deps.integrations.get(key);
      if (!factory) {
        deps.logger.warn({ receiver: r.name, integration: key }, 'integration not supported; notifications to it are dropped');
        continue;
      }
      confs.forEach((conf, i) => {
        const receiverKey = `${r.name}/${factory.type}/${i}`;
        const notifier = factory.create(conf, deps.integrationDeps);
        branches.push(
          new MultiStage([
            new DedupStage(deps.nflog, receiverKey, conf.send_resolved),
            new RetryStage(notifier, factory.type, conf.send_resolved, deps.clock, deps.hooks),
            new SetNotifiesStage(deps.nflog, receiverKey),
          ]),
        );
      });
    }
    byReceiver.set(r.name, new FanoutStage(branches));
  }
  return new MultiStage([
    new MuteStage(deps.inhibitor, (a) => deps.hooks?.muted?.(a, 'inhibited')),
    new TimeActiveStage(intervals),
    new TimeMuteStage(intervals),
    new MuteStage(deps.silences, (a) => deps.hooks?.muted?.(a, 'silenced')),
    ...(deps.extraStages ?? []),
    new RoutingStage(byReceiver),
  ]);
}
