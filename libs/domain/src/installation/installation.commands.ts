import type { Command } from '../core/event.js';
import type { GitHubInstallationBound } from './installation.events.js';

export type BindGitHubInstallation = Command<
  'BindGitHubInstallation',
  Omit<GitHubInstallationBound['data'], 'boundAt'> & { readonly at: string }
>;
export type UnbindGitHubInstallation = Command<
  'UnbindGitHubInstallation',
  { readonly organizationId: string; readonly installationId: string; readonly reason: string; readonly at: string }
>;

export type InstallationCommand = BindGitHubInstallation | UnbindGitHubInstallation;
