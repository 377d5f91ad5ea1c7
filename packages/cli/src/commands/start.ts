import { createLogger, parseBytes, parseDuration } from '@vigil/core';
import { startVigil } from '@vigil/server/app/index.ts';
import { flagsHelp, FlagError, parseFlags } from '../flags.ts';
import { START_FLAGS } from '../start-flags.ts';

function duration(values: Map<string, string>, name: string): number {
  try {
    return parseDuration(values.get(name)!);
  } catch (err) {
    throw new FlagError(`invalid duration for --${name}: ${(err as Error).message}`);
  }
}

function int(values: Map<string, string>, name: string): number {
  const n = Number(values.get(name));
  if (!Number.isInteger(n)) throw new FlagError(`--${name}: expected an integer, got ${JSON.stringify(values.get(name))}`);
  return n;
}

/** `vigil start`: runs the server until SIGTERM/SIGINT; SIGHUP reloads the configuration. */
export async function runStart(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(`usage: vigil start [<flags>]\n\nFlags:\n${flagsHelp(START_FLAGS)}`);
    return 0;
  }
  const { values, args } = parseFlags(START_FLAGS, argv);
  if (args.length > 0) throw new FlagError(`unexpected argument ${JSON.stringify(args[0])}`);
  const level = values.get('log.level')!;
  if (!['debug', 'info', 'warn', 'error'].includes(level)) throw new FlagError(`--log.level: unknown level ${JSON.stringify(level)}`);
  const logger = createLogger({ level: level as 'info' });
  const bytes = (name: string) => {
    try {
      return parseBytes(values.get(name)!);
    } catch (err) {
      throw new FlagError(`--${name}: ${(err as Error).message}`);
    }
  };
  const retentionSize = bytes('storage.tsdb.retention.size');
  const headSnapshotWalSize = bytes('storage.tsdb.head-snapshot-wal-size');
  const configFile = values.get('config.file') || undefined;
  const vigil = await startVigil({
    configFile,
    listenAddress: values.get('web.listen-address')!,
    externalUrl: values.get('web.external-url') || undefined,
    storagePath: values.get('storage.tsdb.path')!,
    retentionTime: duration(values, 'storage.tsdb.retention.time'),
    retentionSize,
    outOfOrderWindow: duration(values, 'storage.tsdb.out-of-order-window'),
    headSnapshotWalSize,
    minBlockDuration: duration(values, 'storage.tsdb.min-block-duration'),
    enableLifecycle: values.get('web.enable-lifecycle') === 'true',
    enableAdminApi: values.get('web.enable-admin-api') === 'true',
    enableRemoteWriteReceiver: values.get('web.enable-remote-write-receiver') === 'true',
    lookbackDelta: duration(values, 'query.lookback-delta'),
    queryTimeout: duration(values, 'query.timeout'),
    queryMaxSamples: int(values, 'query.max-samples'),
    queryMaxConcurrency: int(values, 'query.max-concurrency'),
    forOutageTolerance: duration(values, 'rules.alert.for-outage-tolerance'),
    forGracePeriod: duration(values, 'rules.alert.for-grace-period'),
    resendDelay: duration(values, 'rules.alert.resend-delay'),
    alertmanagerConfigFile: values.get('alertmanager.config.file') || undefined,
    alertmanagerStoragePath: values.get('alertmanager.storage.path') || undefined,
    demo: configFile === undefined && values.get('demo') === 'true',
    logger,
    flags: Object.fromEntries(values),
  });

  const lines = [`Vigil is running: ${vigil.url}`, `  UI        ${vigil.url}/`, `  PromQL    ${vigil.url}/api/v1/query?query=up`, `  Metrics   ${vigil.url}/metrics`];
  if (vigil.demoUrl) lines.push(`  Demo app  ${vigil.demoUrl} (scraped as job="demo")`);
  if (vigil.alertmanagerEnabled) lines.push(`  Alerts    ${vigil.url}/api/v2/alerts`);
  process.stderr.write(lines.join('\n') + '\n');

  return await new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'received signal, exiting gracefully');
      vigil.stop().then(
        () => resolve(0),
        (err) => {
          logger.error({ err }, 'error during shutdown');
          resolve(1);
        },
      );
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGHUP', () => {
      vigil.reload().catch((err) => logger.error({ err }, 'error reloading config'));
    });
    vigil.onQuit(() => stop('/-/quit'));
  });
}
