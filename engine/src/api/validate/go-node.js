export {};
//# sourceMappingURL=go-node.js.map