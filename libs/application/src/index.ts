export * from './organization/organization-streams.js';
export * from './organization/organization-creation.js';
export * from './organization/local-organizations.js';
