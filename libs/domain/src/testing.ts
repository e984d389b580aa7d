export * from './core/given-when-then.js';
