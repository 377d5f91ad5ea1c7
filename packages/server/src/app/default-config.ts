/**
 * The configuration `vigil start` runs without `--config.file`: Vigil
 * scrapes itself and, when enabled, the bundled demo service, every 5 s so
 * the first graphs fill within seconds.
 */
export function defaultConfigYAML(selfTarget: string, demoTarget: string | undefined): string {
  const lines = [
    '# Built-in configuration: pass --config.file to use your own prometheus.yml.',
    'global:',
    '  scrape_interval: 5s',
    '  evaluation_interval: 15s',
    'scrape_configs:',
    '  - job_name: vigil',
    '    static_configs:',
    `      - targets: ['${selfTarget}']`,
  ];
  if (demoTarget) {
    lines.push('  - job_name: demo', '    static_configs:', `      - targets: ['${demoTarget}']`, '        labels:', '          service: demo-api');
  }
  return lines.join('\n') + '\n';
}
