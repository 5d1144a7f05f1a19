// Types of shards.mjs, for the tests that import it.
export function shardBindings(config?: string): string[];
