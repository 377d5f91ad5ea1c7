import { parseFlags, flagsHelp, FlagError, type FlagSpec } from '../flags.ts';

const USAGE = `usage: vigil alertmanager <subcommand> [<flags>]

Subcommands:
  run                        Run the standalone alert router (a drop-in for the alertmanager binary)
  routes test LABEL...       Print the receivers an alert with these labels is routed to (as amtool)
  check-config FILE...       Validate alertmanager.yml files (as amtool check-config)

Without a subcommand, flags are taken as 'run' flags.`;

const RUN_FLAGS: FlagSpec[] = [
  { name: 'config.file', kind: 'string', default: 'alertmanager.yml', help: 'Alertmanager configuration file name' },
  { name: 'storage.path', kind: 'string', default: 'data/', help: 'Base path for data storage (silences, notification log)' },
  { name: 'web.listen-address', kind: 'string', default: ':9093', help: 'Address to listen on for the web interface and API' },
  { name: 'web.external-url', kind: 'string', default: '', help: 'The URL under which the alert router is externally reachable' },
  { name: 'log.level', kind: 'string', default: 'info', help: 'Only log messages with the given severity or above' },
  // Accepted for drop-in compatibility with the alertmanager binary; clustering is not implemented.
  { name: 'cluster.listen-address', kind: 'string', default: '', help: 'Ignored (no clustering)' },
];

const ROUTES_FLAGS: FlagSpec[] = [
  { name: 'config.file', kind: 'string', default: 'alertmanager.yml', help: 'Config file to be tested' },
  { name: 'verify.receivers', kind: 'string', default: '', help: 'Checks if specified receivers matches resolved receivers' },
  { name: 'tree', kind: 'bool', default: 'false', help: 'Prints out matching routes tree' },
];

/**
 * Entry point of `vigil alertmanager …`; returns the process exit code.
 * Output of `routes test` and `check-config` follows amtool 0.25.
 */
export async function runAlertmanagerCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  try {
    if (sub === 'routes') {
      const [what, ...r] = rest;
      if (what !== 'test') {
        console.error(`vigil alertmanager routes: unknown subcommand ${JSON.stringify(what ?? '')}; want test`);
        return 2;
      }
      return await routesTest(r);
    }
    if (sub === 'check-config') return await checkConfig(rest);
    if (sub === 'help' || sub === '--help' || sub === '-h') {
      console.log(`${USAGE}\n\nrun flags:\n${flagsHelp(RUN_FLAGS)}`);
      return 0;
    }
    return await run(sub === 'run' ? rest : args);
  } catch (err) {
    if (err instanceof FlagError) {
      console.error(`vigil alertmanager: error: ${err.message}, try --help`);
      return 2;
    }
    throw err;
  }
}

async function routesTest(argv: string[]): Promise<number> {
  const { values, args } = parseFlags(ROUTES_FLAGS, argv);
  const { loadAlertmanagerConfigFile, parseMatcher } = await import('@vigil/server/alerting/config/index.ts');
  const { Route } = await import('@vigil/server/alerting/dispatch/index.ts');
  let cfg;
  try {
    cfg = await loadAlertmanagerConfigFile(values.get('config.file')!);
  } catch (err) {
    console.error((err as Error).message);
    return 1;
  }
  const ls: Record<string, string> = {};
  for (const a of args) {
    let m;
    try {
      m = parseMatcher(a);
    } catch (err) {
      console.error(`Failed to parse labels: ${(err as Error).message}`);
      return 1;
    }
    if (m.type !== '=') {
      console.error(`Failed to parse labels: matchers must be of type '=': ${a}`);
      return 1;
    }
    ls[m.name] = m.value;
  }
  const root = new Route(cfg.route);
  const matched = root.match(ls);
  const receivers = matched.map((r) => r.receiver);
  if (values.get('tree') === 'true') {
    root.walk((r) => {
      let depth = 0;
      for (let p = r.parent; p; p = p.parent) depth++;
      const mark = matched.includes(r) ? '  <-- matched' : '';
      console.log(`${'  '.repeat(depth)}${r.key().split('/').pop()} ${r.receiver}${mark}`);
    });
  }
  console.log(receivers.join(','));
  const verify = values.get('verify.receivers');
  if (verify) {
    if (verify !== receivers.join(',')) {
      console.log(`WARNING: Expected receivers did not match resolved receivers.`);
      return 1;
    }
  }
  return 0;
}

async function checkConfig(files: string[]): Promise<number> {
  if (files.length === 0) {
    console.error('vigil alertmanager check-config: expected at least one FILE');
    return 2;
  }
  const { loadAlertmanagerConfigFile } = await import('@vigil/server/alerting/config/index.ts');
  let failed = false;
  for (const f of files) {
    try {
      const c = await loadAlertmanagerConfigFile(f);
      console.log(`Checking '${f}'  SUCCESS`);
      console.log('Found:');
      console.log(' - global config');
      console.log(' - route');
      console.log(` - ${c.inhibit_rules.length} inhibit rules`);
      console.log(` - ${c.receivers.length} receivers`);
      console.log(` - ${c.templates.length} templates`);
    } catch (err) {
      failed = true;
      console.log(`Checking '${f}'  FAILED: ${(err as Error).message}`);
    }
    console.log('');
  }
  return failed ? 1 : 0;
}

async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags(RUN_FLAGS, argv);
  const { runStandaloneAlertmanager } = await import('@vigil/server/api/v2/index.ts');
  return runStandaloneAlertmanager({
    configFile: values.get('config.file')!,
    storagePath: values.get('storage.path')!,
    listenAddress: values.get('web.listen-address')!,
    externalUrl: values.get('web.external-url') || undefined,
    logLevel: values.get('log.level')!,
  });
}
