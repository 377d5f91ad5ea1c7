import protobuf from 'protobufjs';

/**
 * Prometheus remote-write 1.0 messages (prompb/remote.proto and types.proto),
 * the subset Vigil reads and writes: float samples with labels. Native
 * histograms and exemplars are parsed past, not stored.
 */
const PROTO = `
syntax = "proto3";
package prometheus;
message WriteRequest {
  repeated TimeSeries timeseries = 1;
  repeated MetricMetadata metadata = 3;
}
message MetricMetadata {
  int32 type = 1;
  string metric_family_name = 2;
  string help = 4;
  string unit = 5;
}
message Sample {
  double value = 1;
  int64 timestamp = 2;
}
message Label {
  string name = 1;
  string value = 2;
}
message TimeSeries {
  repeated Label labels = 1;
  repeated Sample samples = 2;
}
`;

export interface WireLabel {
  name: string;
  value: string;
}
export interface WireSample {
  value: number;
  /** ms; protobufjs yields a number or a Long for int64 depending on size. */
  timestamp: number | { toNumber(): number };
}
export interface WireTimeSeries {
  labels: WireLabel[];
  samples: WireSample[];
}
export interface WireWriteRequest {
  timeseries: WireTimeSeries[];
}

/** The compiled `prometheus.WriteRequest` type; build once per process and share (it is immutable). */
export function writeRequestType(): protobuf.Type {
  return protobuf.parse(PROTO, { keepCase: true }).root.lookupType('prometheus.WriteRequest');
}
