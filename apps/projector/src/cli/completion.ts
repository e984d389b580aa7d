import { basename } from 'node:path';
import { Argument, type Command } from 'commander';
import { PROJECTIONS } from '#read-models';

export type Shell = 'bash' | 'zsh';
export const SHELLS: readonly Shell[] = ['bash', 'zsh'];

interface CompletionOption {
  readonly flags: readonly string[];
  readonly description: string;
  readonly takesValue: boolean;
  readonly values: readonly string[];
}

/** One command of the program, found by the words that lead to it ('' for the program itself). */
export interface CompletionNode {
  readonly path: string;
  readonly subcommands: readonly { readonly name: string; readonly description: string }[];
  readonly options: readonly CompletionOption[];
  /** Candidate values of each positional argument, by index; empty when any value goes. */
  readonly arguments: readonly (readonly string[])[];
}

/**
 * Values commander does not know, by argument name (`projection`) or long flag (`--projection`),
 * e.g. the projection names; an argument's or option's own `.choices()` need no hint.
 */
export type CompletionHints = Readonly<Record<string, readonly string[]>>;

/**
 * The program's command tree, read from commander itself (its help's view, so the implicit `help`
 * command and `--help` are in it): the script never drifts from the commands.
 */
export function completionTree(program: Command, hints: CompletionHints = {}): CompletionNode[] {
  const nodes: CompletionNode[] = [];
  const visit = (command: Command, path: string) => {
    const help = command.createHelp();
    const subcommands = help.visibleCommands(command);
    const names = subcommands.flatMap((sub) => [sub.name(), ...sub.aliases()]);
    nodes.push({
      path,
      subcommands: subcommands.flatMap((sub) => [sub.name(), ...sub.aliases()].map((name) => ({ name, description: sub.description() }))),
      options: help.visibleOptions(command).map((option) => ({
        flags: [option.long, option.short].filter((flag): flag is string => Boolean(flag)),
        description: option.description,
        takesValue: option.required || option.optional,
        values: option.argChoices ?? (option.long ? hints[option.long] : undefined) ?? [],
      })),
      arguments: command.registeredArguments.map((argument) => argument.argChoices ?? hints[argument.name()] ?? []),
    });
    for (const sub of subcommands) {
      const subPath = path ? `${path} ${sub.name()}` : sub.name();
      // The implicit `help [command]` completes its siblings' names.
      if (sub.name() === 'help' && sub.registeredArguments.length === 1 && !command.commands.includes(sub)) {
        nodes.push({ path: subPath, subcommands: [], options: [], arguments: [names.filter((n) => n !== 'help')] });
      } else visit(sub, subPath);
    }
  };
  visit(program, '');
  return nodes;
}

const quote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;
const identifier = (name: string) => name.replaceAll(/[^A-Za-z0-9_]/g, '_');
const describe = (name: string, description: string) => `${name.replaceAll(':', '\\:')}:${description.replaceAll('\n', ' ')}`;

/** `case "$1" in 'key') printf '%s\n' 'line' …;; esac`: one line a word, for the keys that have any. */
function caseFunction(name: string, key: string, entries: readonly (readonly [string, readonly string[]])[]): string {
  const branches = entries
    .filter(([, lines]) => lines.length > 0)
    .map(([pattern, lines]) => `    ${quote(pattern)}) printf '%s\\n' ${lines.map(quote).join(' ')} ;;`);
  return [`${name}() {`, `  case ${key} in`, ...branches, '  esac', '}'].join('\n');
}

/** What each command has, as shell functions of the command path (both shells read them alike). */
function tables(prefix: string, nodes: readonly CompletionNode[], zsh: boolean): string {
  return [
    caseFunction(
      `${prefix}_subcommands`,
      '"$1"',
      nodes.map((n) => [n.path, n.subcommands.map((s) => s.name)]),
    ),
    caseFunction(
      `${prefix}_options`,
      '"$1"',
      nodes.map((n) => [n.path, n.options.flatMap((o) => o.flags)]),
    ),
    caseFunction(
      `${prefix}_value_options`,
      '"$1"',
      nodes.map((n) => [n.path, n.options.filter((o) => o.takesValue).flatMap((o) => o.flags)]),
    ),
    caseFunction(
      `${prefix}_option_values`,
      '"$1|$2"',
      nodes.flatMap((n) => n.options.flatMap((o) => o.flags.map((flag) => [`${n.path}|${flag}`, o.values] as const))),
    ),
    caseFunction(
      `${prefix}_argument_values`,
      '"$1|$2"',
      nodes.flatMap((n) => n.arguments.map((values, index) => [`${n.path}|${index}`, values] as const)),
    ),
    ...(zsh
      ? [
          caseFunction(
            `${prefix}_subcommand_specs`,
            '"$1"',
            nodes.map((n) => [n.path, n.subcommands.map((s) => describe(s.name, s.description))]),
          ),
          caseFunction(
            `${prefix}_option_specs`,
            '"$1"',
            nodes.map((n) => [n.path, n.options.flatMap((o) => o.flags.map((f) => describe(f, o.description)))]),
          ),
        ]
      : []),
  ].join('\n\n');
}

/*
 * Both scripts find the command path the same way: words that name a subcommand of the path so far
 * extend it, an option that takes a value consumes the next word (bash splits `--opt=value` at the
 * `=`, which then does), anything else is a positional argument of the command reached.
 */
const WALK = (prefix: string, first: string, words: string, last: string) => `  local cmdpath="" positional=0 skip=0 valueopt="" word i
  for ((i = ${first}; i < ${last}; i++)); do
    word=${words}
    [[ $word == '=' ]] && continue
    if ((skip)); then skip=0; continue; fi
    case $word in
      --) ;;
      -*=*) ;;
      -*) [[ " $(${prefix}_value_options "$cmdpath" | tr '\\n' ' ') " == *" $word "* ]] && skip=1 valueopt=$word ;;
      *)
        if [[ " $(${prefix}_subcommands "$cmdpath" | tr '\\n' ' ') " == *" $word "* ]]; then
          cmdpath=\${cmdpath:+$cmdpath }$word
          positional=0
        else
          positional=$((positional + 1))
        fi
        ;;
    esac
  done`;

export function completionScript(program: Command, shell: Shell, options: { name: string; hints?: CompletionHints }): string {
  const nodes = completionTree(program, options.hints);
  const prefix = `_${identifier(options.name)}_completion`;
  const header = `# ${shell} completion for \`${options.name}\`, generated by \`${program.name()} completion ${shell}\` from its commands: regenerate after an upgrade.`;
  if (shell === 'bash') {
    return `${header}
# Install: write it to a file and source that from ~/.bashrc (see the README, "Shell completion").

${tables(prefix, nodes, false)}

${prefix}() {
  local cur=\${COMP_WORDS[COMP_CWORD]}
${WALK(prefix, '1', '${COMP_WORDS[i]}', 'COMP_CWORD')}
  local IFS=$'\\n'
  if ((skip)); then
    [[ $cur == '=' ]] && cur=''
    COMPREPLY=($(compgen -W "$(${prefix}_option_values "$cmdpath" "$valueopt")" -- "$cur"))
    return 0
  fi
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$(${prefix}_options "$cmdpath")" -- "$cur"))
  else
    COMPREPLY=($(compgen -W "$(${prefix}_subcommands "$cmdpath"; ${prefix}_argument_values "$cmdpath" "$positional")" -- "$cur"))
  fi
  return 0
}

complete -o default -F ${prefix} ${options.name}
`;
  }
  return `#compdef ${options.name}
${header}
# Install: write it as _${options.name} into a directory of $fpath, or source it after compinit (see the README).

${tables(prefix, nodes, true)}

${prefix}() {
${WALK(prefix, '2', '${words[i]}', 'CURRENT')}
  local -a candidates
  if ((skip)); then
    candidates=(\${(f)"$(${prefix}_option_values "$cmdpath" "$valueopt")"})
    (( \${#candidates} )) && compadd -a candidates
    return
  fi
  if [[ \${words[CURRENT]} == -* ]]; then
    candidates=(\${(f)"$(${prefix}_option_specs "$cmdpath")"})
    _describe -t options option candidates
    return
  fi
  candidates=(\${(f)"$(${prefix}_subcommand_specs "$cmdpath")"})
  (( \${#candidates} )) && _describe -t commands command candidates
  candidates=(\${(f)"$(${prefix}_argument_values "$cmdpath" "$positional")"})
  (( \${#candidates} )) && compadd -a candidates
  return 0
}

if [[ $funcstack[1] == _${options.name} ]]; then
  ${prefix} "$@"
else
  compdef ${prefix} ${options.name}
fi
`;
}

/** `[shell]` of the `completion` command. */
export function shellArgument(): Argument {
  return new Argument('[shell]', 'bash or zsh (default: the one $SHELL names)').choices(SHELLS);
}

export function defaultShell(env: NodeJS.ProcessEnv = process.env): Shell {
  return basename(env.SHELL ?? '') === 'zsh' ? 'zsh' : 'bash';
}

/** Console's own values: projection names, wherever a command takes one. */
export function consoleCompletionHints(): CompletionHints {
  const names = PROJECTIONS.map((p) => p.name);
  return { projection: names, '--projection': names };
}
