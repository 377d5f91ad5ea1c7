import { FlagError } from './flags.ts';

const USAGE = `usage: vigil <command> [<flags>] [<args> ...]

Monitoring for TypeScript/Node backends: scrape, store, query, alert.

Commands:
  start                       Run the Vigil server (scrape, TSDB, PromQL, rules, alerting, UI)
  check config FILE...        Check Prometheus configuration files
  check rules FILE...         Check rule files
  test rules FILE...          Run rule unit tests (promtool format)
  alertmanager ...            Alert router: run standalone, routes test, check-config
  tsdb create-blocks-from openmetrics FILE DIR
                              Backfill: write an OpenMetrics file as storage blocks
  tsdb analyze DIR [BLOCK]    Cardinality and size of a storage block
  version                     Print version

Run 'vigil start --help' for the server's flags.`;

/** Entry point of the `vigil` command; returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case 'start':
      case 'serve':
        return await (await import('./commands/start.ts')).runStart(rest);
      case 'check': {
        const [what, ...files] = rest;
        if (what === 'config') return await (await import('./commands/check.ts')).runCheckConfig(files);
        if (what === 'rules') return await (await import('./commands/rules.ts')).runCheckRules(files);
        console.error(`vigil check: unknown subcommand ${JSON.stringify(what ?? '')}; want config`);
        return 2;
      }
      case 'test': {
        const [what, ...files] = rest;
        if (what === 'rules') return await (await import('./commands/rules.ts')).runTestRules(files);
        console.error(`vigil test: unknown subcommand ${JSON.stringify(what ?? '')}; want rules`);
        return 2;
      }
      case 'alertmanager':
        return await (await import('./commands/alertmanager.ts')).runAlertmanagerCommand(rest);
      case 'tsdb':
        return await (await import('./commands/tsdb.ts')).runTsdbCommand(rest);
      case 'version':
      case '--version': {
        const { buildInfo } = await import('@vigil/server/app/build-info.ts');
        const b = buildInfo();
        console.log(`vigil, version ${b.version} (node ${process.versions.node})`);
        return 0;
      }
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        console.log(USAGE);
        return cmd === undefined ? 2 : 0;
      default:
        console.error(`vigil: unknown command ${JSON.stringify(cmd)}\n\n${USAGE}`);
        return 2;
    }
  } catch (err) {
    if (err instanceof FlagError) {
      console.error(`vigil: error: ${err.message}, try --help`);
      return 2;
    }
    // Expected failures (bad config, busy port, locked storage) get one line, not a stack.
    if (err instanceof Error && (err.name === 'ConfigErrors' || 'code' in err && String((err as { code: unknown }).code).startsWith('VIGIL_ERR_'))) {
      console.error(`vigil: error: ${err.message}`);
      return 1;
    }
    throw err;
  }
}
