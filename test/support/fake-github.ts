export * from '../../apps/fake-github/src/fake-github.js';
