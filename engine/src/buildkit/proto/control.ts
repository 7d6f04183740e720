/**
 * Our own proto subset of `moby.buildkit.v1.Control` and the worker types, written from the BuildKit digest
 * (field numbers are the wire contract; package and service names form the gRPC `:path`). Only the fields berthd
 * reads or writes are declared: protobuf skips the rest.
 */
export const CONTROL_PROTO = `
syntax = "proto3";
package moby.buildkit.v1;

message Timestamp { int64 seconds = 1; int32 nanos = 2; }

message Platform { string Architecture = 1; string OS = 2; string Variant = 3; string OSVersion = 4; repeated string OSFeatures = 5; }
message BuildkitVersion { string package = 1; string version = 2; string revision = 3; string dockerfileVersion = 4; }
message WorkerRecord {
  string ID = 1;
  map<string, string> Labels = 2;
  repeated Platform platforms = 3;
  BuildkitVersion BuildkitVersion = 5;
}

message ListWorkersRequest { repeated string filter = 1; }
message ListWorkersResponse { repeated WorkerRecord record = 1; }
message InfoRequest {}
message InfoResponse { BuildkitVersion buildkitVersion = 1; }

message Exporter { string Type = 1; map<string, string> Attrs = 2; }
message SolveRequest {
  string Ref = 1;
  string ExporterDeprecated = 3;
  map<string, string> ExporterAttrsDeprecated = 4;
  string Session = 5;
  string Frontend = 6;
  map<string, string> FrontendAttrs = 7;
  repeated string Entitlements = 9;
  bool Internal = 11;
  repeated Exporter Exporters = 13;
}
message SolveResponse { map<string, string> ExporterResponse = 1; }

message StatusRequest { string Ref = 1; }
message ProgressGroup { string id = 1; string name = 2; bool weak = 3; }
message Vertex {
  string digest = 1;
  repeated string inputs = 2;
  string name = 3;
  bool cached = 4;
  Timestamp started = 5;
  Timestamp completed = 6;
  string error = 7;
  ProgressGroup progressGroup = 8;
}
message VertexStatus {
  string ID = 1;
  string vertex = 2;
  string name = 3;
  int64 current = 4;
  int64 total = 5;
  Timestamp timestamp = 6;
  Timestamp started = 7;
  Timestamp completed = 8;
}
message VertexLog { string vertex = 1; Timestamp timestamp = 2; int64 stream = 3; bytes msg = 4; }
message VertexWarning { string vertex = 1; int64 level = 2; bytes short = 3; repeated bytes detail = 4; string url = 5; }
message StatusResponse {
  repeated Vertex vertexes = 1;
  repeated VertexStatus statuses = 2;
  repeated VertexLog logs = 3;
  repeated VertexWarning warnings = 4;
}

message DiskUsageRequest { repeated string filter = 1; int64 ageLimit = 2; }
message UsageRecord {
  string ID = 1;
  bool Mutable = 2;
  bool InUse = 3;
  int64 Size = 4;
  string Parent = 5;
  Timestamp CreatedAt = 6;
  Timestamp LastUsedAt = 7;
  int64 UsageCount = 8;
  string Description = 9;
  string RecordType = 10;
  bool Shared = 11;
  repeated string Parents = 12;
}
message DiskUsageResponse { repeated UsageRecord record = 1; }
message PruneRequest { repeated string filter = 1; bool all = 2; int64 keepDuration = 3; int64 reservedSpace = 4; }
`;
