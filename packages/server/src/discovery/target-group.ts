/** A set of targets sharing labels, as service discovery yields it (Prometheus's `targetgroup.Group`). */
export interface TargetGroup {
  /** Each target's label set; `__address__` at least. */
  targets: Array<Record<string, string>>;
  labels: Record<string, string>;
  /** Where the group came from (`static/0`, `file:/etc/targets.json:2`). */
  source: string;
}
