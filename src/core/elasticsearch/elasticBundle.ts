// The entry of dist/elastic.js: the official Elasticsearch client, bundled apart so that only the
// code that connects loads it (scripts/build.mjs maps `@elastic/elasticsearch` imports to it).
export * from '@elastic/elasticsearch';
