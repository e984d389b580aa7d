import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { completionScript, completionTree, defaultShell } from './completion.js';

/** A program shaped like the CLI: nested commands, an option with choices, one with a hint, an argument with a hint. */
function program(): Command {
  const root = new Command('console');
  root.command('replay <projection>').description('rebuild a projection').option('--batch-size <n>', 'events per transaction');
  root.command('status').description('lag: per projection').option('--json', 'machine-readable').option('--interval <s>', 'seconds');
  const letters = root.command('dead-letters').description('list dead letters').option('--projection <name>', 'only this one');
  letters.command('retry <id>').description('apply it again');
  letters.command('skip <id>').description("don't apply it");
  root.command('token').addOption(new Option('--role <role>', 'organization role').choices(['admin', 'member']));
  return root;
}

const hints = { projection: ['jobs', 'job_stats', 'stores'], '--projection': ['jobs', 'job_stats', 'stores'] };

describe('completionTree', () => {
  const nodes = completionTree(program(), hints);
  const node = (path: string) => nodes.find((n) => n.path === path)!;

  it("reads every command, nested ones and commander's implicit help included", () => {
    expect(nodes.map((n) => n.path)).toEqual([
      '',
      'replay',
      'status',
      'dead-letters',
      'dead-letters retry',
      'dead-letters skip',
      'dead-letters help',
      'token',
      'help',
    ]);
    expect(node('dead-letters').subcommands.map((s) => s.name)).toEqual(['retry', 'skip', 'help']);
  });

  it('knows which options take a value, with their choices or hinted values', () => {
    expect(node('token').options[0]).toEqual({
      flags: ['--role'],
      description: 'organization role',
      takesValue: true,
      values: ['admin', 'member'],
    });
    expect(node('dead-letters').options.find((o) => o.flags.includes('--projection'))!.values).toEqual(hints['--projection']);
    expect(node('status').options.find((o) => o.flags.includes('--json'))!.takesValue).toBe(false);
    expect(node('status').options.at(-1)!.flags).toEqual(['--help', '-h']);
  });

  it("completes an argument from the hints, and help's argument from the command names", () => {
    expect(node('replay').arguments).toEqual([hints.projection]);
    expect(node('help').arguments).toEqual([['replay', 'status', 'dead-letters', 'token']]);
  });
});

describe('the bash script', () => {
  const directory = mkdtempSync(join(tmpdir(), 'console-completion-'));
  const script = join(directory, 'console.bash');
  writeFileSync(script, completionScript(program(), 'bash', { name: 'console', hints }));

  /** What bash offers for the command line `words`, the last word being the one completed. */
  function complete(...words: string[]): string[] {
    const output = execFileSync(
      'bash',
      [
        '-c',
        `source "$0"; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _console_completion; printf '%s\\n' "\${COMPREPLY[@]}"`,
        script,
        'console',
        ...words,
      ],
      { encoding: 'utf8' },
    );
    return output.split('\n').filter(Boolean);
  }

  it('is registered for the command name', () => {
    expect(execFileSync('bash', ['-c', 'source "$0"; complete -p console', script], { encoding: 'utf8' }).trim()).toBe(
      'complete -o default -F _console_completion console',
    );
  });

  it('offers the commands, then the subcommands of the one typed', () => {
    expect(complete('')).toEqual(['replay', 'status', 'dead-letters', 'token', 'help']);
    expect(complete('de')).toEqual(['dead-letters']);
    expect(complete('dead-letters', '')).toEqual(['retry', 'skip', 'help']);
  });

  it("offers a command's options after a dash, past the values of earlier options", () => {
    expect(complete('status', '--interval', '2', '--')).toEqual(['--json', '--interval', '--help']);
  });

  it("offers an option's values, also after bash split --option=value at the =", () => {
    expect(complete('token', '--role', '')).toEqual(['admin', 'member']);
    expect(complete('token', '--role', '=', 'm')).toEqual(['member']);
    expect(complete('dead-letters', '--projection', 'job')).toEqual(['jobs', 'job_stats']);
  });

  it("offers an argument's values at its position only", () => {
    expect(complete('replay', 'j')).toEqual(['jobs', 'job_stats']);
    expect(complete('replay', 'jobs', '')).toEqual([]);
    expect(complete('help', 'st')).toEqual(['status']);
  });
});

describe('the zsh script', () => {
  const script = completionScript(program(), 'zsh', { name: 'console', hints });

  it('starts with #compdef, so it can be autoloaded from $fpath as _console', () => {
    expect(script.split('\n')[0]).toBe('#compdef console');
  });

  it('describes commands and options, quotes in a description kept', () => {
    expect(script).toContain(`'status:lag: per projection'`);
    expect(script).toContain(`'skip:don'\\''t apply it'`);
  });
});

describe('defaultShell', () => {
  it('is the one $SHELL names, else bash', () => {
    expect(defaultShell({ SHELL: '/usr/bin/zsh' })).toBe('zsh');
    expect(defaultShell({ SHELL: '/bin/fish' })).toBe('bash');
    expect(defaultShell({})).toBe('bash');
  });
});
