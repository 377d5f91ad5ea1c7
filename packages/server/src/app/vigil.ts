import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { VigilError, type Logger } from '@vigil/core';
import { registerApiV1, type ApiV1Deps } from '../api/v1/index.ts';
import { createWebServer } from '../web/index.ts';
import { openDB } from '../tsdb/index.ts';
import { deleteSeries, snapshot, tsdbStatus } from '../tsdb/admin.ts';
import { uiDistDir } from './paths.ts';
import { astJSON, createEngine, formatExpr, parseExpr, parseSelector } from '../promql/index.ts';
import { loadConfigFile, parseConfig, type PrometheusConfig } from '../config/index.ts';
import { ScrapeManager } from '../scrape/index.ts';
import { registerWriteHandler } from '../remote/index.ts';
import { createAlertmanager, type Alertmanager } from '../alerting/index.ts';
import { registerAlertmanagerApi, registerVigilAlertingApi } from '../api/v2/index.ts';
import { RuleManager } from '../rules/index.ts';
import { registerRulesRoutes } from '../api/v1/rules-routes.ts';
import { Notifier } from '../notifier/index.ts';
import { buildInfo } from './build-info.ts';
import { defaultConfigYAML } from './default-config.ts';
import { splitHostPort, type VigilOptions } from './options.ts';
import type { Service } from './service.ts';

/** A running Vigil server. */
export interface Vigil {
  /** Base URL reachable from this machine (`http://127.0.0.1:PORT` for wildcard listen addresses). */
  readonly url: string;
  readonly demoUrl: string | undefined;
  readonly alertmanagerEnabled: boolean;
  readonly registry: Registry;
  /** Re-reads the configuration file and applies it to every subsystem; rejects (keeping the old config) when invalid. */
  reload(): Promise<void>;
  /** Stops every subsystem in reverse start order; idempotent. */
  stop(): Promise<void>;
  /** Registers a callback for `/-/quit`. */
  onQuit(fn: () => void): void;
}

interface Reloader {
  name: string;
  apply(cfg: PrometheusConfig): Promise<void>;
}

const UI_DIR = uiDistDir();

/**
 * The composition root: builds every subsystem, wires them through their
 * interfaces, starts them in dependency order and returns a handle that
 * stops them in reverse. Like Prometheus's cmd/prometheus/main.go, this is
 * the only place that knows the concrete implementations.
 */
export async function startVigil(opts: VigilOptions): Promise<Vigil> {
  const logger: Logger = opts.logger;
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const started: Service[] = [];
  const startTime = new Date();
  let ready = false;
  let quitFns: Array<() => void> = [];

  const configSuccess = new Gauge({
    name: 'vigil_config_last_reload_successful',
    help: 'Whether the last configuration reload attempt was successful.',
    registers: [registry],
  });
  const configSuccessTime = new Gauge({
    name: 'vigil_config_last_reload_success_timestamp_seconds',
    help: 'Timestamp of the last successful configuration reload.',
    registers: [registry],
  });

  mkdirSync(opts.storagePath, { recursive: true });
  const db = await openDB({
    dir: opts.storagePath,
    retentionMs: opts.retentionTime,
    retentionBytes: opts.retentionSize,
    outOfOrderWindowMs: opts.outOfOrderWindow,
    headSnapshotWalBytes: opts.headSnapshotWalSize,
    blockRangeMs: opts.minBlockDuration,
    logger: logger.child({ component: 'tsdb' }),
    registry,
  });
  started.push({ start: async () => {}, stop: () => db.close() });

  const engine = createEngine({
    lookbackDelta: opts.lookbackDelta,
    timeout: opts.queryTimeout,
    maxSamples: opts.queryMaxSamples,
    maxConcurrency: opts.queryMaxConcurrency,
    logger: logger.child({ component: 'query engine' }),
    registry,
  });

  const scrape = new ScrapeManager({ appendable: db, logger: logger.child({ component: 'scrape' }), registry });

  let configYAML = '';
  let lastConfigTime = new Date(0);
  let reloadSuccess = false;
  const reloaders: Reloader[] = [{ name: 'scrape', apply: (cfg) => scrape.applyConfig(cfg) }];

  const web = await createWebServer({
    logger: logger.child({ component: 'web' }),
    registry,
    uiDir: opts.uiDir ?? UI_DIR,
    enableLifecycle: opts.enableLifecycle,
    ready: () => ready,
    reload: () => reload(),
    quit: () => {
      for (const fn of quitFns) fn();
    },
  });

  const deps: ApiV1Deps = {
    engine,
    queryable: db,
    parseSelector,
    formatQuery: (q) => formatExpr(parseExpr(q)),
    parseQuery: (q) => astJSON(parseExpr(q)),
    now: () => Date.now(),
    lookbackDelta: opts.lookbackDelta,
    targets: () => scrape.targets(),
    targetMetadata: () => scrape.metadata(),
    configYAML: () => configYAML,
    flags: () => opts.flags,
    buildInfo: buildInfo(),
    runtimeInfo: () => ({
      startTime: startTime.toISOString(),
      CWD: process.cwd(),
      reloadConfigSuccess: reloadSuccess,
      lastConfigTime: lastConfigTime.toISOString(),
      corruptionCount: (db.replayStats?.corruptions.length ?? 0) + db.corruptBlocks.length,
      goroutineCount: 0,
      GOMAXPROCS: 1,
      GOMEMLIMIT: 0,
      GOGC: '',
      GODEBUG: '',
      storageRetention: retentionText(opts),
    }),
    alertmanagers: () => ({ activeAlertmanagers: notifier.alertmanagerURLs().map((url) => ({ url })), droppedAlertmanagers: [] }),
    tsdb: {
      adminEnabled: opts.enableAdminApi,
      status: (limit) => tsdbStatus(db, limit),
      walReplay: () => db.walReplay,
      deleteSeries: (sets, mint, maxt) => void deleteSeries(db, sets, mint, maxt),
      cleanTombstones: () => void db.cleanTombstones(),
      snapshot: (skipHead) => snapshot(db, skipHead),
    },
  };
  registerApiV1(web, deps);
  if (opts.enableRemoteWriteReceiver) {
    registerWriteHandler(web, { appendable: db, logger: logger.child({ component: 'remote' }), registry });
  }

  // The built-in alert router: same process, same web server, Alertmanager's API v2 paths.
  let alertmanager: Alertmanager | undefined;
  if (opts.alertmanagerConfigFile) {
    const { host: h, port: p } = splitHostPort(opts.listenAddress);
    alertmanager = createAlertmanager({
      configFile: opts.alertmanagerConfigFile,
      storagePath: opts.alertmanagerStoragePath ?? join(opts.storagePath, 'alertmanager'),
      logger: logger.child({ component: 'alertmanager' }),
      registry,
      externalUrl: opts.externalUrl ?? `http://${h === '0.0.0.0' ? 'localhost' : h}:${p}`,
    });
    try {
      await alertmanager.start();
    } catch (err) {
      await stopAll();
      throw err;
    }
    const am = alertmanager;
    started.push({ start: async () => {}, stop: () => am.stop() });
    await registerAlertmanagerApi(web, am);
    await registerVigilAlertingApi(web, am);
    reloaders.push({ name: 'alertmanager', apply: () => am.reload() });
  }

  // Alerts go out through the notifier, as in Prometheus: external labels and
  // alert_relabel_configs apply, then every configured Alertmanager and the
  // in-process router (when enabled) receive them.
  const notifier = new Notifier({ logger: logger.child({ component: 'notifier' }), registry, local: alertmanager });
  reloaders.push({ name: 'notifier', apply: (cfg) => notifier.applyConfig(cfg) });
  const { host: extHost, port: extPort } = splitHostPort(opts.listenAddress);
  const rules = new RuleManager({
    engine,
    queryable: db,
    appendable: db,
    sender: notifier,
    logger: logger.child({ component: 'rule manager' }),
    registry,
    externalURL: opts.externalUrl ?? `http://${extHost === '0.0.0.0' ? 'localhost' : extHost}:${extPort}`,
    resendDelay: opts.resendDelay,
    outageTolerance: opts.forOutageTolerance,
    forGracePeriod: opts.forGracePeriod,
  });
  reloaders.push({ name: 'rules', apply: (cfg) => rules.applyConfig(cfg) });
  registerRulesRoutes(web, rules);

  const { host, port } = splitHostPort(opts.listenAddress);
  try {
    await web.listen({ host, port });
  } catch (err) {
    await stopAll();
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'EADDRINUSE' ? 'address already in use' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
    throw new VigilError('VIGIL_ERR_WEB_LISTEN', `listen on ${opts.listenAddress} (--web.listen-address): ${why}`, { cause: err });
  }
  const addr = web.server.address();
  const boundPort = typeof addr === 'object' && addr ? addr.port : port;
  const localHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const url = `http://${localHost}:${boundPort}`;
  started.push({ start: async () => {}, stop: () => web.close() });

  let demoUrl: string | undefined;
  let demoTarget: string | undefined;
  if (opts.demo && !opts.configFile) {
    const { startDemo } = await import('@vigil/demo');
    const demo = await startDemo({ port: 0, host: '127.0.0.1', logger: logger.child({ component: 'demo' }) });
    demoUrl = demo.url;
    demoTarget = new URL(demo.url).host;
    started.push({ start: async () => {}, stop: () => demo.close() });
  }

  async function loadConfig(): Promise<{ cfg: PrometheusConfig; yaml: string }> {
    if (opts.configFile) {
      const yaml = readFileSync(opts.configFile, 'utf8');
      return { cfg: await loadConfigFile(opts.configFile), yaml };
    }
    const yaml = defaultConfigYAML(`localhost:${boundPort}`, demoTarget);
    return { cfg: parseConfig(yaml, '<built-in config>'), yaml };
  }

  async function reload(): Promise<void> {
    try {
      const { cfg, yaml } = await loadConfig();
      for (const r of reloaders) await r.apply(cfg);
      configYAML = yaml;
      reloadSuccess = true;
      lastConfigTime = new Date();
      configSuccess.set(1);
      configSuccessTime.set(lastConfigTime.getTime() / 1000);
      logger.info({ file: opts.configFile ?? '<built-in config>' }, 'completed loading of configuration file');
    } catch (err) {
      reloadSuccess = false;
      configSuccess.set(0);
      logger.error({ err, file: opts.configFile }, 'error loading config');
      throw err;
    }
  }

  try {
    await reload();
  } catch (err) {
    await stopAll();
    throw err;
  }
  await scrape.start();
  started.push(scrape);
  await notifier.start();
  started.push(notifier);
  await rules.start();
  started.push(rules);
  ready = true;
  logger.info({ url }, 'server is ready to receive web requests');

  let stopping: Promise<void> | undefined;
  async function stopAll(): Promise<void> {
    ready = false;
    for (const s of started.reverse()) {
      try {
        await s.stop();
      } catch (err) {
        logger.error({ err }, 'error stopping component');
      }
    }
    started.length = 0;
  }

  return {
    url,
    demoUrl,
    alertmanagerEnabled: alertmanager !== undefined,
    registry,
    reload,
    stop: () => (stopping ??= stopAll()),
    onQuit: (fn) => {
      quitFns = [...quitFns, fn];
    },
  };
}

function retentionText(opts: VigilOptions): string {
  const parts: string[] = [];
  if (opts.retentionTime) parts.push(`${Math.round(opts.retentionTime / 86400_000)}d`);
  if (opts.retentionSize) parts.push(`${opts.retentionSize}B`);
  return parts.join(' or ');
}
