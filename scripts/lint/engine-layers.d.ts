export declare const ENGINE_LAYERS: string[][];
export declare function engineLayerZones(root: string): { target: string; from: string[]; message: string }[];
