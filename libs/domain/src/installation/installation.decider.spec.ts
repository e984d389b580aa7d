import { describe, it } from '@jest/globals';
import { specFor } from '#domain/testing';
import { installationDecider } from './installation.decider.js';
import type { InstallationBindingVia, InstallationEvent } from './installation.events.js';

const spec = specFor(installationDecider);
const at = '2026-12-01T10:00:00.000Z';
const binding: {
  organizationId: string;
  installationId: string;
  accountLogin: string;
  accountType: 'Organization';
  via: InstallationBindingVia;
  boundBy: string;
} = {
  organizationId: 'org_acme',
  installationId: '42',
  accountLogin: 'acme',
  accountType: 'Organization',
  via: 'member_token',
  boundBy: 'user_1',
};
const bind = (data: Partial<typeof binding> = {}) => ({ type: 'BindGitHubInstallation' as const, data: { ...binding, ...data, at } });
const bound: InstallationEvent = { type: 'GitHubInstallationBound', data: { ...binding, boundAt: at } };
const unbind = (installationId = '42') => ({
  type: 'UnbindGitHubInstallation' as const,
  data: { organizationId: 'org_acme', installationId, reason: 'installation_deleted', at },
});

describe('installation decider', () => {
  describe('when nothing is bound', () => {
    it('binds an installation on a proof', () => spec.given([]).when(bind()).then([bound]));
    it('unbinds nothing', () => spec.given([]).when(unbind()).then([]));
  });

  describe('when the installation is bound', () => {
    it('binds nothing a second time, whatever the proof', () =>
      spec
        .given([bound])
        .when(bind({ via: 'app_setup', boundBy: 'user_2' }))
        .then([]));
    it('binds another installation', () =>
      spec
        .given([bound])
        .when(bind({ installationId: '43' }))
        .then([{ type: 'GitHubInstallationBound', data: { ...binding, installationId: '43', boundAt: at } }]));
    it('unbinds it', () =>
      spec
        .given([bound])
        .when(unbind())
        .then([
          {
            type: 'GitHubInstallationUnbound',
            data: { organizationId: 'org_acme', installationId: '42', reason: 'installation_deleted', unboundAt: at },
          },
        ]));
    it('refuses a command for another organization on this stream', () =>
      spec
        .given([bound])
        .when(bind({ organizationId: 'org_evil' }))
        .thenThrows('invalid'));
  });

  describe('when the installation was unbound', () => {
    const unbound: InstallationEvent = {
      type: 'GitHubInstallationUnbound',
      data: { organizationId: 'org_acme', installationId: '42', reason: 'installation_deleted', unboundAt: at },
    };
    it('binds it again on a new proof', () => spec.given([bound, unbound]).when(bind()).then([bound]));
  });
});
