/**
 * A request body's shape as Go's encoding/json decodes it into dockerd's types (generated from the swagger by
 * `scripts/src/gen/engine-api-schema.ts`). `go` is the Go type's name as json's errors print it.
 */
export type GoNode = {
    k: 'string' | 'bool' | 'float64' | 'any' | 'strslice';
    go: string;
} | {
    k: 'int';
    go: string;
} | {
    k: 'array';
    go: string;
    of: GoNode;
} | {
    k: 'map';
    go: string;
    of: GoNode;
} | {
    k: 'struct';
    go: string;
    name: string;
    fields: Record<string, GoNode>;
};
