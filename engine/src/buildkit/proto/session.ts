/**
 * Our own proto subset of the services a client's session serves to the daemon: FileSync (fsutil packets), Upload,
 * Secrets, Auth, SSH agent forwarding and gRPC health. berthd is the gRPC client of these over the `/session` connection.
 */
export const SESSION_PROTOS = [
`
syntax = "proto3";
package fsutil.types;

message Stat {
  string path = 1;
  uint32 mode = 2;
  uint32 uid = 3;
  uint32 gid = 4;
  int64 size = 5;
  int64 modTime = 6;
  string linkname = 7;
  int64 devmajor = 8;
  int64 devminor = 9;
  map<string, bytes> xattrs = 10;
}
message Packet { int32 type = 1; Stat stat = 2; uint32 ID = 3; bytes data = 4; }
`,
`
syntax = "proto3";
package moby.filesync.v1;
message BytesMessage { bytes data = 1; }
message CredentialsRequest { string Host = 1; }
message CredentialsResponse { string Username = 1; string Secret = 2; }
`,
`
syntax = "proto3";
package moby.sshforward.v1;
message CheckAgentRequest { string ID = 1; }
message CheckAgentResponse {}
`,
`
syntax = "proto3";
package moby.buildkit.secrets.v1;
message GetSecretRequest { string ID = 1; }
message GetSecretResponse { bytes data = 1; }
`,
`
syntax = "proto3";
package grpc.health.v1;
message HealthCheckRequest { string service = 1; }
message HealthCheckResponse { int32 status = 1; }
`,
];
