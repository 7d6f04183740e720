/**
 * Our own proto subset of the LLB bridge (`moby.buildkit.v1.frontend.LLBBridge`), the service buildx drives a
 * Dockerfile build through while `Control.Solve` waits, plus `google.rpc.Status` for `Return`'s error and
 * errdefs.Source, an error's Dockerfile lines.
 */
export const GATEWAY_PROTO = `
syntax = "proto3";
package moby.buildkit.v1.frontend;

message APICap { string ID = 1; bool Enabled = 2; bool Deprecated = 3; }
message PingRequest {}
message PongResponse { repeated APICap FrontendAPICaps = 1; repeated APICap LLBCaps = 2; }

message Ref { string id = 1; }
message RefMap { map<string, Ref> refs = 1; }
message Result {
  oneof result {
    string refDeprecated = 1;
    Ref ref = 3;
    RefMap refs = 4;
  }
  map<string, bytes> metadata = 10;
}

message SolveRequest {
  string Frontend = 2;
  map<string, string> FrontendOpt = 3;
  bool allowResultReturn = 5;
  bool allowResultArrayRef = 6;
  bool Final = 10;
  bool Evaluate = 14;
}
message SolveResponse { Result result = 3; }

message Any { string type_url = 1; bytes value = 2; }
message Status { int32 code = 1; string message = 2; repeated Any details = 3; }
message ReturnRequest { Result result = 1; Status error = 2; }
// errdefs.Source (with pb.SourceInfo, pb.Range, pb.Position): the Dockerfile lines an error came from, carried as
// a detail of the error's status.
message SourcePosition { int32 line = 1; int32 character = 2; }
message SourceRange { SourcePosition start = 1; SourcePosition end = 2; }
message SourceInfo { string filename = 1; bytes data = 2; string language = 4; }
message ErrorSource { SourceInfo info = 1; repeated SourceRange ranges = 2; }
message ReturnResponse {}
`;
