// Jest-free on purpose: `npm start -- --demo` runs the fake GitHub. Projection spec helpers, which
// use Jest's globals, are the separate entry `#testing/projection`.
export * from './test-database.js';
export * from './fake-clerk.js';
export * from './fake-cohere.js';
export * from './fake-github/fake-github.js';
export * from './fake-github/github-app-env.js';
export * from './fake-github/demo.js';
